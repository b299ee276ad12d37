// The offline voice: eSpeak NG (the `espeak-ng` package, its WebAssembly build; GPL-3.0, an
// optional dependency) speaks English and Mandarin with no network, the same bytes for the
// same line every time. Each line is spoken in a child process (espeak-child.mjs), killed
// when the task's signal aborts. Without the package the provider makes no voice: NARRATION
// then times each line from its length (timing only; README.md says so).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Language } from '../../providers/language.ts';
import { AbortedError, ProviderError } from '../../providers/provider-error.ts';
import type { SpeechProvider, SpeechRequest } from '../../providers/speech-provider.ts';

/** eSpeak NG's voice per language. */
const VOICES: Record<Language, string> = { en: 'en-us', zh: 'cmn' };
/** eSpeak NG's natural pace, in words per minute (speed 1). */
const WORDS_PER_MINUTE = 165;
const CHILD = fileURLToPath(new URL('./espeak-child.mjs', import.meta.url));

/** Whether the optional package is installed. */
export function espeakAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('espeak-ng');
    return true;
  } catch {
    return false;
  }
}

function speak(voice: string, request: SpeechRequest): Promise<Buffer> {
  if (request.signal.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, voice, String(Math.round(WORDS_PER_MINUTE * request.speed))], {
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: request.signal,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-2000)));
    child.stdin.on('error', () => {});
    child.stdin.end(request.text, 'utf8');
    child.on('error', (e) => reject(request.signal.aborted ? new AbortedError() : new ProviderError('VOICE_FAILED', 'The offline voice could not run.', false, undefined, e.message)));
    child.on('close', (code) => {
      if (request.signal.aborted) return reject(new AbortedError());
      if (code === 0) return resolve(Buffer.concat(out));
      reject(new ProviderError('VOICE_FAILED', `The offline voice could not read this line with the voice "${voice}".`, false, undefined, `espeak-ng exited ${code}: ${err.trim()}`));
    });
  });
}

export function createOfflineSpeechProvider(opts: { available?: boolean } = {}): SpeechProvider {
  const available = opts.available ?? espeakAvailable();
  return {
    name: 'offline',
    model: available ? 'espeak-ng-1.0.2' : 'timing-only',
    async generate(request) {
      if (!available) {
        if (request.signal.aborted) throw new AbortedError();
        return { voice: null, audio: null };
      }
      const voice = request.voice ?? VOICES[request.language];
      return { voice, audio: await speak(voice, request) };
    },
  };
}
