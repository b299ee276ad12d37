// A stage uses the highest-priority provider of its kind and fails over to the next one on
// a retryable error. `name`/`model` tell which provider answered last, for the record.
import type { ImageProvider, VideoProvider } from './media-provider.ts';
import { ProviderError } from './provider-error.ts';
import type { SpeechProvider } from './speech-provider.ts';
import type { TextProvider } from './text-provider.ts';

interface Named {
  readonly name: string;
  readonly model: string;
}

const retryable = (err: unknown) => err instanceof ProviderError && err.retryable;

function tracker<P extends Named>(chain: P[]) {
  if (chain.length === 0) throw new Error('failover needs at least one provider');
  let current = chain[0];
  return {
    get name() {
      return current.name;
    },
    get model() {
      return current.model;
    },
    use(provider: P) {
      current = provider;
    },
    async each<T>(call: (provider: P) => Promise<T>): Promise<T> {
      let last: unknown;
      for (const provider of chain) {
        current = provider;
        try {
          return await call(provider);
        } catch (err) {
          if (!retryable(err)) throw err;
          last = err;
        }
      }
      throw last;
    },
  };
}

export function failoverText(chain: TextProvider[]): TextProvider {
  if (chain.length === 1) return chain[0];
  const t = tracker(chain);
  // Object.assign keeps the tracker's name/model getters: they follow the provider in use.
  return Object.assign(t, {
    async *stream(request: Parameters<TextProvider['stream']>[0]) {
      let last: unknown;
      for (const provider of chain) {
        t.use(provider);
        let started = false;
        try {
          for await (const chunk of provider.stream(request)) {
            started = true;
            yield chunk;
          }
          return;
        } catch (err) {
          // Once text has gone out, switching models mid-answer would garble it: the attempt fails.
          if (started || !retryable(err)) throw err;
          last = err;
        }
      }
      throw last;
    },
  });
}

/** Image, video and speech providers fail over per request: nothing has reached the user yet. */
function failoverGenerate<Req, Res>(chain: Array<Named & { generate(request: Req): Promise<Res> }>) {
  if (chain.length === 1) return chain[0];
  const t = tracker(chain);
  return Object.assign(t, { generate: (request: Req) => t.each((p) => p.generate(request)) });
}

export const failoverImage = (chain: ImageProvider[]): ImageProvider => failoverGenerate(chain);
export const failoverVideo = (chain: VideoProvider[]): VideoProvider => failoverGenerate(chain);
export const failoverAudio = (chain: SpeechProvider[]): SpeechProvider => failoverGenerate(chain);
