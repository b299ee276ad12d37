// Images (gpt-image-1, base64 results) and clips (Sora 2: create from the scene's image,
// poll status and progress, download the content) through the openai SDK.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { toFile } from 'openai';
import type { ImageProvider, VideoProvider } from './media-provider.ts';
import { toProviderError } from './openai-text.ts';
import { AbortedError, ProviderError } from './provider-error.ts';

export interface OpenAIClientOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** The provider's record name. @default 'openai' */
  name?: string;
  timeoutMs?: number;
}

const client = (o: OpenAIClientOptions) => new OpenAI({ apiKey: o.apiKey, baseURL: o.baseURL, maxRetries: 0, timeout: o.timeoutMs ?? 300_000 });

async function guarded<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (signal.aborted) throw new AbortedError();
    throw toProviderError(err);
  }
}

export function createOpenAIImageProvider(opts: OpenAIClientOptions): ImageProvider {
  const openai = client(opts);
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async generate(request) {
      const result = await guarded(request.signal, () =>
        openai.images.generate({ model: request.model ?? opts.model, prompt: request.prompt, size: request.size, n: 1 }, { signal: request.signal }),
      );
      const b64 = result.data?.[0]?.b64_json;
      if (!b64) throw new ProviderError('MALFORMED_OUTPUT', 'The image provider answered without an image.', true);
      return Buffer.from(b64, 'base64');
    },
  };
}

const SORA_SIZE = { landscape: '1280x720', portrait: '720x1280', square: '1280x720' } as const;

export function createOpenAIVideoProvider(opts: OpenAIClientOptions & { pollIntervalMs?: number; maxWaitMs?: number }): VideoProvider {
  const openai = client(opts);
  const pollIntervalMs = opts.pollIntervalMs ?? 5_000;
  const maxWaitMs = opts.maxWaitMs ?? 20 * 60_000;
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async generate(request) {
      const { signal } = request;
      let video = await guarded(signal, async () =>
        openai.videos.create(
          {
            model: request.model ?? opts.model,
            prompt: request.prompt,
            seconds: String(request.seconds) as '4' | '8' | '12',
            size: SORA_SIZE[request.orientation],
            input_reference: await toFile(request.image, 'scene.png', { type: 'image/png' }),
          },
          { signal },
        ),
      );
      const deadline = Date.now() + maxWaitMs;
      while (video.status === 'queued' || video.status === 'in_progress') {
        request.onProgress(video.progress ?? 0);
        if (Date.now() > deadline) throw new ProviderError('PROVIDER_TIMEOUT', `The video was not ready within ${Math.round(maxWaitMs / 60000)} minutes.`, false);
        await sleep(pollIntervalMs, undefined, { signal }).catch(() => {});
        if (signal.aborted) throw new AbortedError();
        video = await guarded(signal, () => openai.videos.retrieve(video.id, { signal }));
      }
      if (video.status !== 'completed') {
        const reason = video.error?.message ?? `the video ended ${video.status}`;
        throw new ProviderError('VIDEO_FAILED', `The video provider could not make this clip: ${reason}`, false);
      }
      request.onProgress(100);
      const response = await guarded(signal, () => openai.videos.downloadContent(video.id, undefined, { signal }));
      const bytes = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? 'video/mp4';
      return { bytes, ext: type.includes('gif') ? 'gif' : type.includes('webm') ? 'webm' : 'mp4' };
    },
  };
}
