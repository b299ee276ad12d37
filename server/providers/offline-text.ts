// The offline provider: no network, deterministic, streams its answer token by token at a
// configurable pace, like a model writing. The answer itself comes from the request
// (each stage derives it from its input with the functions in ./offline/).
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError } from './provider-error.ts';
import type { TextProvider } from './text-provider.ts';
import { tokenize } from './offline/tokenize.ts';

export function createOfflineTextProvider(opts: { tokenDelayMs: number }): TextProvider {
  return {
    name: 'offline',
    model: 'offline-storyteller-1',
    async *stream(request) {
      const tokens = tokenize(request.offlineAnswer());
      for (const delta of tokens) {
        if (request.signal.aborted) throw new AbortedError();
        if (opts.tokenDelayMs > 0) await sleep(opts.tokenDelayMs, undefined, { signal: request.signal }).catch(() => {});
        if (request.signal.aborted) throw new AbortedError();
        yield { delta };
      }
      yield { usage: { totalTokens: tokens.length } };
    },
  };
}
