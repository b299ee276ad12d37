// Text stages on the OpenAI API (or any compatible server): streaming chat completions,
// with structured output when the stage asks for JSON.
import { createOpenAIClient, toProviderError, type OpenAIClientOptions } from './openai-client.ts';
import { AbortedError, ProviderError } from './provider-error.ts';
import type { TextProvider } from './text-provider.ts';

/**
 * A provider that ignores the token cap could still stream for as long as the time limit;
 * past this many characters a token (generous: English runs near 4) the answer is refused.
 */
const MAX_CHARS_PER_TOKEN = 16;

export function createOpenAITextProvider(opts: OpenAIClientOptions & { /** max_completion_tokens of every request. */ maxTokens: number }): TextProvider {
  const client = createOpenAIClient(opts, 120_000);
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async *stream(request) {
      try {
        const stream = await client.chat.completions.create(
          {
            model: request.model ?? opts.model,
            stream: true,
            stream_options: { include_usage: true },
            max_completion_tokens: opts.maxTokens,
            messages: [
              { role: 'system', content: request.system },
              { role: 'user', content: request.user },
            ],
            ...(request.jsonSchema
              ? { response_format: { type: 'json_schema' as const, json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true } } }
              : {}),
          },
          { signal: request.signal },
        );
        let finished = false;
        let chars = 0;
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (choice?.finish_reason) finished = true;
          const delta = choice?.delta?.content;
          if (delta) {
            chars += delta.length;
            if (chars > opts.maxTokens * MAX_CHARS_PER_TOKEN) {
              throw new ProviderError('PROVIDER_OUTPUT_TOO_LARGE', "The model's answer was longer than allowed.", false, undefined, `over ${chars} characters with max_completion_tokens ${opts.maxTokens}`);
            }
            yield { delta };
          }
          if (choice?.finish_reason === 'content_filter') {
            throw new ProviderError('CONTENT_REFUSED', 'The model provider refused this content.', false);
          }
          if (chunk.usage) yield { usage: { totalTokens: chunk.usage.total_tokens } };
        }
        // A connection closed without a finish reason is an answer cut short, not an answer.
        if (!finished) throw new ProviderError('PROVIDER_STREAM_ERROR', "The model's answer was cut off before it finished.", true);
      } catch (err) {
        if (request.signal.aborted) throw new AbortedError();
        throw toProviderError(err, opts.transport);
      }
    },
  };
}
