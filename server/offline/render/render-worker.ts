// A worker thread of the render pool: draws one scene image at a time, off the main event loop.
import { parentPort } from 'node:worker_threads';
import type { SceneBrief, SceneImageSize } from '../../providers/scene.ts';
import { renderSceneImage } from './render-scene.ts';

export interface RenderJob {
  id: number;
  scene: SceneBrief;
  size: SceneImageSize;
}
export type RenderReply = { id: number; png: Uint8Array } | { id: number; error: string };

parentPort!.on('message', ({ id, scene, size }: RenderJob) => {
  try {
    // A copy of its own, so the transfer hands over exactly these bytes (a Buffer may be a view of a shared pool).
    const png = new Uint8Array(renderSceneImage(scene, size));
    parentPort!.postMessage({ id, png } satisfies RenderReply, [png.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply);
  }
});
