// The offline image and video providers: real PNGs and animated GIF clips, made here,
// paced by OFFLINE_STEP_DELAY_MS so progress is visible.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageProvider, VideoProvider, VideoRequest } from '../providers/media-provider.ts';
import { AbortedError } from '../providers/provider-error.ts';
import type { SceneImageSize } from '../providers/scene.ts';
import { decodePng } from './render/png-decode.ts';
import { renderClip, type ClipImage } from './render/render-clip.ts';
import { renderSceneImage, renderSceneRgba } from './render/render-scene.ts';

async function pace(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal }).catch(() => {});
  if (signal.aborted) throw new AbortedError();
}

/** The scene's stored image; redrawn from the scene only if it cannot be read. */
function sceneImage({ image: png, scene }: VideoRequest): ClipImage {
  try {
    return decodePng(png);
  } catch {
    // IHDR: width and height are the first two fields after the 8-byte signature and chunk header.
    const size = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}` as SceneImageSize;
    return renderSceneRgba(scene, size);
  }
}

export function createOfflineImageProvider(opts: { stepDelayMs: number }): ImageProvider {
  return {
    name: 'offline',
    model: 'offline-painter-1',
    async generate(request) {
      await pace(opts.stepDelayMs, request.signal);
      return renderSceneImage(request.scene, request.size);
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
      const bytes = renderClip(sceneImage(request), request.movement, request.seconds);
      request.onProgress(100);
      return { bytes, ext: 'gif' };
    },
  };
}
