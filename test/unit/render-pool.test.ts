// Scene images drawn in worker threads are the very bytes the renderer makes in-process, and
// a caller that gives up stops waiting.
import { afterAll, describe, expect, it } from 'vitest';
import { createRenderPool } from '../../server/offline/render/render-pool.ts';
import { renderSceneImage } from '../../server/offline/render/render-scene.ts';
import type { SceneBrief } from '../../server/providers/scene.ts';

const scene = (index: number): SceneBrief => ({
  index,
  narration: index % 2 ? 'Every night he wrote back.' : '他每晚都回信。',
  visualPrompt: index % 2 ? 'A lighthouse on a cliff at night, the lamp turning' : '深夜的灯塔，灯光缓缓转动',
});

describe('the render pool', () => {
  const pool = createRenderPool({ threads: 2, idleMs: 1000 });
  afterAll(() => pool.close());

  it('draws in worker threads exactly what the renderer draws in-process, several at once', async () => {
    const scenes = [0, 1, 2, 3].map(scene);
    const drawn = await Promise.all(scenes.map((s) => pool.render(s, '1024x1024', new AbortController().signal)));
    scenes.forEach((s, i) => expect(drawn[i]!.equals(renderSceneImage(s, '1024x1024')), `scene ${i}`).toBe(true));
  }, 60_000);

  it('lets an aborted caller go, and keeps drawing for the others', async () => {
    const gone = new AbortController();
    const busy = [0, 1].map((i) => pool.render(scene(i), '1024x1024', new AbortController().signal));
    const waiting = pool.render(scene(5), '1024x1024', gone.signal);
    gone.abort();
    await expect(waiting).rejects.toThrow();
    expect((await Promise.all(busy)).every((png) => png.length > 1000)).toBe(true);
  }, 60_000);
});
