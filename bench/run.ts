// `npm run bench`: side-by-side measurements in one run, reported as ratios (this machine is
// noisy; absolute numbers are only context). Needs the Redis the tests use.
//   1. the event log's atomic append (fence + seq + stream + publish) against a bare PUBLISH;
//   2. streaming tokens through the batcher against one awaited append per token.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createEventLog } from '../server/events/event-log.ts';
import { attemptLease } from '../server/events/lease.ts';
import { createRedisKeys } from '../server/redis/keys.ts';
import { createTokenBatcher } from '../server/worker/token-batcher.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_EVENTS ?? 5000);
const prefix = `bench-${randomUUID().slice(0, 8)}:`;
const redis = new Redis(REDIS_URL);
const keys = createRedisKeys(prefix);
const log = createEventLog({ redis, keys, archive: { read: async () => [], endSeq: async () => null } });
const lease = attemptLease('bench');

async function newTask() {
  const ref = { taskId: randomUUID(), projectId: randomUUID(), stage: 'REWRITE' as const };
  await log.init(ref);
  await log.startAttempt(ref, lease);
  return ref;
}

async function time(label: string, run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`  ${label}: ${ms.toFixed(0)} ms (${((N / ms) * 1000).toFixed(0)} tokens/s)`);
  return ms;
}

console.log(`${N} tokens each, Redis at ${REDIS_URL}`);
const token = '字';
const bare = await time('bare PUBLISH per token (no log, no seq, no fence)', async () => {
  for (let i = 0; i < N; i++) await redis.publish(`${prefix}bare`, JSON.stringify({ delta: token }));
});
const perToken = await time('event log append per token, awaited', async () => {
  const ref = await newTask();
  for (let i = 0; i < N; i++) await log.append(ref, lease, [{ type: 'token', delta: token }]);
});
const batched = await time('event log through the token batcher', async () => {
  const ref = await newTask();
  const batcher = createTokenBatcher((delta) => log.append(ref, lease, [{ type: 'token', delta }]).then(() => {}), () => {});
  for (let i = 0; i < N; i++) {
    batcher.push(token);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // a model yields between chunks
  }
  await batcher.flush();
});
console.log('ratios (higher is better for the first named):');
console.log(`  durable, fenced append vs bare publish, per token: ${(bare / perToken).toFixed(2)}x the throughput`);
console.log(`  batched vs per-token append: ${(perToken / batched).toFixed(2)}x the throughput`);

let cursor = '0';
do {
  const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (found.length) await redis.del(...found);
} while (cursor !== '0');
redis.disconnect();
