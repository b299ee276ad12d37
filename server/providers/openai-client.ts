// The openai SDK client every provider uses, and the one mapping of its failures to
// ProviderError. Connections go through the guarded dispatcher; redirects are answers, not
// instructions (a 3xx would otherwise carry our key and the prompt to wherever it points).
// What a user sees of a failure is a fixed sentence per class; the provider's own words go
// to `detail`, which the worker logs and never shows.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Dispatcher } from 'undici';
import { AddressRefusedError } from './guarded-dispatcher.ts';
import { AbortedError, ProviderError } from './provider-error.ts';

/** How every provider reaches the network, and how far it lets a provider push us. */
export interface ProviderTransport {
  /** From createGuardedDispatcher: refuses private, link-local and (unless allowed) loopback addresses. */
  dispatcher: Dispatcher;
  /** A provider's retry-after is honoured up to this. */
  maxRetryAfterMs: number;
}

export interface OpenAIClientOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** The provider's record name. @default 'openai' */
  name?: string;
  timeoutMs?: number;
  transport: ProviderTransport;
}

export function createOpenAIClient(opts: OpenAIClientOptions, defaultTimeoutMs: number): OpenAI {
  return new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    // Retries are ours (a new attempt with its own events), not the SDK's hidden ones.
    maxRetries: 0,
    timeout: opts.timeoutMs ?? defaultTimeoutMs,
    // Node's own fetch with our dispatcher (same undici major as Node 20's fetch), so the
    // SDK's FormData uploads keep working.
    fetchOptions: { dispatcher: opts.transport.dispatcher, redirect: 'manual' },
  });
}

/** retry-after as seconds or an HTTP date; retry-after-ms when the server sends it; at most `max`. */
export function retryAfterMs(headers: Headers | undefined, max: number): number | undefined {
  const cap = (ms: number) => Math.min(max, Math.max(0, ms));
  const ms = Number(headers?.get('retry-after-ms'));
  if (ms > 0) return cap(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return cap(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : cap(at - Date.now());
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function toProviderError(err: unknown, transport: Pick<ProviderTransport, 'maxRetryAfterMs'>): Error {
  if (err instanceof ProviderError || err instanceof AbortedError) return err;
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) return new AbortedError();
  const refused = causes(err).find((e) => e instanceof AddressRefusedError);
  if (refused) return new ProviderError('PROVIDER_ADDRESS_REFUSED', "The model provider's address is not allowed.", false, undefined, refused.message);
  if (err instanceof APIConnectionTimeoutError) return new ProviderError('PROVIDER_TIMEOUT', 'The model provider timed out.', true, undefined, messageOf(err));
  if (err instanceof APIConnectionError) {
    const detail = causes(err).map(messageOf).join(' <- ');
    return new ProviderError('PROVIDER_UNREACHABLE', 'The model provider could not be reached.', true, undefined, detail);
  }
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const detail = `HTTP ${status}: ${err.message}`;
    if (status === 429) return new ProviderError('PROVIDER_RATE_LIMITED', 'The model provider is rate limiting requests.', true, retryAfterMs(err.headers, transport.maxRetryAfterMs), detail);
    if (status >= 500) return new ProviderError('PROVIDER_ERROR', 'The model provider is unavailable.', true, undefined, detail);
    if (status >= 300 && status < 400) {
      const location = err.headers?.get('location');
      return new ProviderError('PROVIDER_REDIRECT', 'The model provider answered with a redirect, which is not followed.', false, undefined, `${detail}${location ? ` to ${location}` : ''}`);
    }
    if (status === 401 || status === 403) return new ProviderError('PROVIDER_AUTH', 'The model provider refused our credentials.', false, undefined, detail);
    if (status === 408) return new ProviderError('PROVIDER_TIMEOUT', 'The model provider timed out.', true, undefined, detail);
    return new ProviderError('PROVIDER_BAD_REQUEST', 'The model provider refused the request.', false, undefined, detail);
  }
  // A stream cut mid-way surfaces as a plain error from the SDK's reader.
  return new ProviderError('PROVIDER_STREAM_ERROR', "The model's answer was cut off.", true, undefined, messageOf(err));
}
