// The offline image and video providers: real PNGs and animated GIF clips, made here,
// paced by OFFLINE_STEP_DELAY_MS so progress is visible.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageProvider, VideoProvider } from './media-provider.ts';
import { AbortedError } from './provider-error.ts';

async function pace(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal }).catch(() => {});
  if (signal.aborted) throw new AbortedError();
}

export function createOfflineImageProvider(opts: { stepDelayMs: number }): ImageProvider {
  return {
    name: 'offline',
    model: 'offline-painter-1',
    async generate(request) {
      await pace(opts.stepDelayMs, request.signal);
      return request.offline();
    },
  };
}

export function createOfflineVideoProvider(opts: { stepDelayMs: number }): VideoProvider {
  return {
    name: 'offline',
    model: 'offline-camera-1',
    async generate(request) {
      // A few visible progress steps, like a real render queue.
      for (const percent of [10, 40, 70]) {
        await pace(opts.stepDelayMs / 3, request.signal);
        request.onProgress(percent);
      }
      const bytes = request.offline();
      request.onProgress(100);
      return { bytes, ext: 'gif' };
    },
  };
}
