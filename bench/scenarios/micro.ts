// The two micro rows, in the runner's process against Redis alone:
//   1. the event log's atomic append (fence + seq + stream + publish) against a bare PUBLISH;
//   2. streaming tokens through the batcher against one awaited append per token.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createEventLog } from '../../server/events/event-log.ts';
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
    return [
      rowResult('append-vs-publish', perToken, bare, `${n} tokens each`),
      rowResult('batcher-vs-append', batched, perToken, `${n} tokens each; a model yielding every 50 tokens`),
    ];
  } finally {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
}
