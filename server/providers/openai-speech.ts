// Voice through an OpenAI-compatible `audio.speech` endpoint: one request per line, WAV back,
// read with a size cap. The voice is the task's, else the configured one for the language.
import { readBounded } from './bounded-body.ts';
import type { Language } from './language.ts';
import { createOpenAIClient, toProviderError, type OpenAIClientOptions } from './openai-client.ts';
import { AbortedError } from './provider-error.ts';
import type { SpeechProvider } from './speech-provider.ts';

export function createOpenAISpeechProvider(
  opts: OpenAIClientOptions & {
    /** Largest audio accepted for one line. */
    maxBytes: number;
    /** The voice per language when the task names none. */
    voices: Record<Language, string>;
  },
): SpeechProvider {
  const openai = createOpenAIClient(opts, 120_000);
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async generate(request) {
      const voice = request.voice ?? opts.voices[request.language];
      try {
        const response = await openai.audio.speech.create(
          { model: request.model ?? opts.model, voice, input: request.text, speed: request.speed, response_format: 'wav' },
          { signal: request.signal },
        );
        return { voice, audio: await readBounded(response, opts.maxBytes, 'audio') };
      } catch (err) {
        if (request.signal.aborted) throw new AbortedError();
        throw toProviderError(err, opts.transport);
      }
    },
  };
}
