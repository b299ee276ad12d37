// The offline image and video providers: real PNGs and H.264 MP4 clips, made here, paced by
// OFFLINE_STEP_DELAY_MS so progress is visible.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageProvider, VideoProvider, VideoRequest } from '../providers/media-provider.ts';
import { AbortedError } from '../providers/provider-error.ts';
import { renderClip } from './render/render-clip.ts';
import type { RenderPool } from './render/render-pool.ts';

async function pace(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal }).catch(() => {});
  if (signal.aborted) throw new AbortedError();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The scene image's size: from a PNG's IHDR, else the orientation the stage gave. */
function sizeOf({ image, orientation }: VideoRequest): { width: number; height: number } {
  if (image.length > 24 && image.subarray(0, 8).equals(PNG_SIGNATURE)) return { width: image.readUInt32BE(16), height: image.readUInt32BE(20) };
  return orientation === 'landscape' ? { width: 1536, height: 1024 } : orientation === 'portrait' ? { width: 1024, height: 1536 } : { width: 1024, height: 1024 };
}

export function createOfflineImageProvider(opts: { stepDelayMs: number; renderPool: RenderPool }): ImageProvider {
  return {
    name: 'offline',
    model: 'offline-painter-1',
    async generate(request) {
      await pace(opts.stepDelayMs, request.signal);
      return opts.renderPool.render(request.scene, request.size, request.signal);
    },
  };
}

export function createOfflineVideoProvider(opts: {
  stepDelayMs: number;
  /** Width of a clip in pixels; its height follows the image. @default 640 */
  clipWidth?: number;
}): VideoProvider {
  return {
    name: 'offline',
    model: 'offline-camera-2',
    async generate(request) {
      // A visible wait, like a real render queue, then the encoder's own progress.
      await pace(opts.stepDelayMs / 2, request.signal);
      request.onProgress(10);
      const bytes = await renderClip(request.image, sizeOf(request), request.movement, request.seconds, {
        width: opts.clipWidth ?? 640,
        signal: request.signal,
        onProgress: (fraction) => request.onProgress(10 + Math.floor(fraction * 89)),
      });
      request.onProgress(100);
      return { bytes, ext: 'mp4' };
    },
  };
}
