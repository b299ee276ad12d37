// The two micro rows, in the runner's process against Redis alone:
//   1. the event log's atomic append (fence + seq + stream + publish) against a bare PUBLISH;
//   2. streaming tokens through the batcher against one awaited append per token;
//   3. the event loop's longest stall while scene images are drawn: in the render pool's
//      threads against on the main thread (what every stream and request waits through).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEventLog } from '../../server/events/event-log.ts';
import { createRenderPool } from '../../server/offline/render/render-pool.ts';
import { renderSceneImage } from '../../server/offline/render/render-scene.ts';
import type { SceneBrief } from '../../server/providers/scene.ts';
import { createRedisKeys } from '../../server/redis/keys.ts';
import { createTokenBatcher } from '../../server/worker/token-batcher.ts';
import { BENCH_LEASE } from '../lib/feeds.ts';
import { deleteKeys, NO_ARCHIVE, REDIS_URL } from '../lib/harness.ts';
import { rowResult, type RowResult } from '../lib/rows.ts';
import { nowUs } from '../lib/stats.ts';

/** Runs in the runner while the servers start, so it returns its rows rather than taking the context. */
export async function micro(n: number): Promise<RowResult[]> {
  const prefix = `bench-${randomUUID().slice(0, 8)}:`;
  const redis = new Redis(REDIS_URL);
  const log = createEventLog({ redis, keys: createRedisKeys(prefix), archive: NO_ARCHIVE });
  const newTask = async () => {
    const ref = { taskId: randomUUID(), projectId: randomUUID(), stage: 'REWRITE' as const };
    await log.init(ref);
    await log.startAttempt(ref, BENCH_LEASE);
    return ref;
  };
  /** Tokens per second of one run. */
  const rate = async (run: () => Promise<void>) => {
    const started = nowUs();
    await run();
    return n / ((nowUs() - started) / 1e6);
  };
  const token = '字';
  try {
    const bare = await rate(async () => {
      for (let i = 0; i < n; i++) await redis.publish(`${prefix}bare`, JSON.stringify({ delta: token }));
    });
    const perToken = await rate(async () => {
      const ref = await newTask();
      for (let i = 0; i < n; i++) await log.append(ref, BENCH_LEASE, [{ type: 'token', delta: token }]);
    });
    const batched = await rate(async () => {
      const ref = await newTask();
      const batcher = createTokenBatcher((delta) => log.append(ref, BENCH_LEASE, [{ type: 'token', delta }]).then(() => {}), () => {});
      for (let i = 0; i < n; i++) {
        batcher.push(token);
        if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // a model yields between chunks
      }
      await batcher.flush();
    });
    const stall = await renderStalls(4);
    return [
      rowResult('append-vs-publish', perToken, bare, `${n} tokens each`),
      rowResult('batcher-vs-append', batched, perToken, `${n} tokens each; a model yielding every 50 tokens`),
      rowResult('render-stall', stall.pool, stall.inline, `the longest event-loop stall while 4 scene images (1024×1024) are drawn, threads warm`),
    ];
  } finally {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
}

/** The event loop's longest delay (ms) while `scenes` images are drawn, in the pool and inline. */
async function renderStalls(scenes: number): Promise<{ pool: number; inline: number }> {
  const brief = (index: number): SceneBrief => ({ index, narration: '灯塔看守人每晚都回信。', visualPrompt: 'The lighthouse at night, its lamp turning' });
  const pool = createRenderPool();
  const longest = async (draw: () => Promise<unknown>) => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await draw();
    h.disable();
    return h.max / 1e6;
  };
  try {
    await Promise.all([0, 1].map((i) => pool.render(brief(i), '1024x1024', new AbortController().signal))); // warm the threads
    const inPool = await longest(() => Promise.all(Array.from({ length: scenes }, (_, i) => pool.render(brief(i), '1024x1024', new AbortController().signal))));
    const inline = await longest(async () => {
      for (let i = 0; i < scenes; i++) {
        renderSceneImage(brief(i), '1024x1024');
        await new Promise((r) => setImmediate(r));
      }
    });
    return { pool: inPool, inline };
  } finally {
    await pool.close();
  }
}
