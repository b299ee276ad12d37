// Text stages on the OpenAI API (or any compatible server): streaming chat completions,
// with structured output when the stage asks for JSON.
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { AbortedError, ProviderError } from './provider-error.ts';
import type { TextProvider } from './text-provider.ts';

/** retry-after as seconds or an HTTP date; retry-after-ms when the server sends it. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function toProviderError(err: unknown): Error {
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) return new AbortedError();
  if (err instanceof APIConnectionError) return new ProviderError('PROVIDER_UNREACHABLE', `The model provider could not be reached: ${err.message}`, true);
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const detail = err.message || `HTTP ${status}`;
    if (status === 429) return new ProviderError('PROVIDER_RATE_LIMITED', `The model provider is rate limiting us: ${detail}`, true, retryAfterMs(err.headers));
    if (status >= 500) return new ProviderError('PROVIDER_ERROR', `The model provider failed: ${detail}`, true);
    if (status === 401 || status === 403) return new ProviderError('PROVIDER_AUTH', `The model provider refused our credentials: ${detail}`, false);
    if (status === 408) return new ProviderError('PROVIDER_TIMEOUT', `The model provider timed out: ${detail}`, true);
    return new ProviderError('PROVIDER_BAD_REQUEST', `The model provider refused the request: ${detail}`, false);
  }
  if (err instanceof ProviderError || err instanceof AbortedError) return err;
  // A stream cut mid-way surfaces as a plain error from the SDK's reader.
  return new ProviderError('PROVIDER_STREAM_ERROR', `The model's answer was cut off: ${(err as Error)?.message ?? String(err)}`, true);
}

export function createOpenAITextProvider(opts: { apiKey: string; baseURL?: string; model: string; name?: string; timeoutMs?: number }): TextProvider {
  // Retries are ours (a new attempt with its own events), not the SDK's hidden ones.
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: 0, timeout: opts.timeoutMs ?? 120_000 });
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
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (choice?.finish_reason) finished = true;
          const delta = choice?.delta?.content;
          if (delta) yield { delta };
          if (choice?.finish_reason === 'content_filter') {
            throw new ProviderError('CONTENT_REFUSED', 'The model provider refused this content.', false);
          }
          if (chunk.usage) yield { usage: { totalTokens: chunk.usage.total_tokens } };
        }
        // A connection closed without a finish reason is an answer cut short, not an answer.
        if (!finished) throw new ProviderError('PROVIDER_STREAM_ERROR', "The model's answer was cut off before it finished.", true);
      } catch (err) {
        if (request.signal.aborted) throw new AbortedError();
        throw toProviderError(err);
      }
    },
  };
}
