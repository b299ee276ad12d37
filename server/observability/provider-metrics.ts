// Counts a model provider's calls and failures by class, whatever the provider: it wraps
// `generate` (images, clips) and `stream` (text) of any object that has them, so this layer
// needs no provider types. A failure's class is its ProviderError code (PROVIDER_RATE_LIMITED,
// PROVIDER_TIMEOUT, …), `aborted` (cancel, lost lease, time limit), or `other`.
import type { Metrics } from './metrics.ts';

/** The class of a failed call, read structurally (providers' errors carry a string `code`). */
export function errorClassOf(err: unknown): string {
  if (!(err instanceof Error)) return 'other';
  if (err.name === 'AbortedError' || err.name === 'AbortError') return 'aborted';
  const code = (err as { code?: unknown }).code;
  return err.name === 'ProviderError' && typeof code === 'string' ? code : 'other';
}

type Named = { readonly name: string };

/** `provider` with its calls counted (unchanged when `metrics` is undefined). */
export function instrumentProvider<P extends Named>(provider: P, kind: string, metrics: Metrics | undefined): P {
  if (!metrics) return provider;
  const record = (errorClass: string | null) => metrics.providerCall(kind, provider.name, errorClass);

  async function* counted<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    let outcome: string | null | undefined;
    try {
      for await (const chunk of source) yield chunk;
      outcome = null;
    } catch (err) {
      outcome = errorClassOf(err);
      throw err;
    } finally {
      record(outcome === undefined ? 'aborted' : outcome); // undefined: the consumer stopped reading
    }
  }

  return new Proxy(provider, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'generate') {
        return async (...args: unknown[]) => {
          try {
            const result = await value.apply(target, args);
            record(null);
            return result;
          } catch (err) {
            record(errorClassOf(err));
            throw err;
          }
        };
      }
      if (prop === 'stream') return (...args: unknown[]) => counted(value.apply(target, args) as AsyncIterable<unknown>);
      return value.bind(target);
    },
  });
}
