// Images (gpt-image-1, base64 results) and clips (Sora 2: create from the scene's image,
// poll status and progress, download the content) through the openai SDK. Both answers are
// read with a size cap, counted while they stream.
import { setTimeout as sleep } from 'node:timers/promises';
import { toFile } from 'openai';
import type { ImagesResponse } from 'openai/resources/images';
import { readBounded, tooLarge } from './bounded-body.ts';
import type { ImageProvider, VideoProvider } from './media-provider.ts';
import { createOpenAIClient, toProviderError, type OpenAIClientOptions, type ProviderTransport } from './openai-client.ts';
import { AbortedError, ProviderError } from './provider-error.ts';

export type { OpenAIClientOptions } from './openai-client.ts';

async function guarded<T>(signal: AbortSignal, transport: ProviderTransport, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (signal.aborted) throw new AbortedError();
    throw toProviderError(err, transport);
  }
}

/** Room for the JSON around the base64 image (usage, timestamps, a revised prompt). */
const IMAGE_JSON_OVERHEAD = 256 * 1024;

export function createOpenAIImageProvider(opts: OpenAIClientOptions & { /** Largest image accepted, decoded. */ maxBytes: number }): ImageProvider {
  const openai = createOpenAIClient(opts, 300_000);
  const maxJsonBytes = Math.ceil(opts.maxBytes / 3) * 4 + IMAGE_JSON_OVERHEAD;
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async generate(request) {
      const b64 = await guarded(request.signal, opts.transport, async () => {
        // The raw response, so the body is read with a cap rather than parsed whole by the SDK.
        const response = await openai.images
          .generate({ model: request.model ?? opts.model, prompt: request.prompt, size: request.size, n: 1 }, { signal: request.signal })
          .asResponse();
        const body = await readBounded(response, maxJsonBytes, 'image');
        let parsed: ImagesResponse;
        try {
          parsed = JSON.parse(body.toString('utf8')) as ImagesResponse;
        } catch {
          throw new ProviderError('MALFORMED_OUTPUT', 'The image provider answered without an image.', true, undefined, 'the answer is not JSON');
        }
        return parsed.data?.[0]?.b64_json;
      });
      // Only base64 answers: a URL would be one more address to fetch on a provider's word.
      if (!b64) throw new ProviderError('MALFORMED_OUTPUT', 'The image provider answered without an image.', true);
      const image = Buffer.from(b64, 'base64');
      if (image.length > opts.maxBytes) throw tooLarge('image', opts.maxBytes, `${image.length} bytes decoded`);
      return image;
    },
  };
}

const SORA_SIZE = { landscape: '1280x720', portrait: '720x1280', square: '1280x720' } as const;

export function createOpenAIVideoProvider(
  opts: OpenAIClientOptions & { /** Largest clip accepted. */ maxBytes: number; pollIntervalMs?: number; maxWaitMs?: number },
): VideoProvider {
  const openai = createOpenAIClient(opts, 300_000);
  const pollIntervalMs = opts.pollIntervalMs ?? 5_000;
  const maxWaitMs = opts.maxWaitMs ?? 20 * 60_000;
  return {
    name: opts.name ?? 'openai',
    model: opts.model,
    async generate(request) {
      const { signal } = request;
      const call = <T>(fn: () => Promise<T>) => guarded(signal, opts.transport, fn);
      let video = await call(async () =>
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
        video = await call(() => openai.videos.retrieve(video.id, { signal }));
      }
      if (video.status !== 'completed') {
        const reason = video.error?.message ?? `the video ended ${video.status}`;
        throw new ProviderError('VIDEO_FAILED', 'The video provider could not make this clip.', false, undefined, reason);
      }
      request.onProgress(100);
      return call(async () => {
        const response = await openai.videos.downloadContent(video.id, undefined, { signal });
        const bytes = await readBounded(response, opts.maxBytes, 'clip');
        const type = response.headers.get('content-type') ?? 'video/mp4';
        return { bytes, ext: type.includes('gif') ? ('gif' as const) : type.includes('webm') ? ('webm' as const) : ('mp4' as const) };
      });
    },
  };
}
