// `npm run bench`: our delivery against the raw path, side by side in one run. It starts
// what it needs on loopback (our app in child processes on SQLite and PostgreSQL, a raw
// ioredis → ws/SSE server, a subscriber process), needs the Redis and PostgreSQL the tests
// use, prints one table (ours, the raw baseline of the same run, their ratio, the target)
// and writes it as JSON to bench/results/ (BENCH_OUT to write elsewhere).
//   BENCH_QUICK=1          about a minute: the same rows, smaller sizes
//   BENCH_SMOKE=1          the smallest sizes that still make every row (the test's)
//   BENCH_PROFILE=<row id> CPU-profiles the server process during that row's measurement
//                          (e.g. broadcast-ws; broadcast-ws-raw for the raw server; a heap
//                          profile for memory-idle-heap), and writes the profile next to the
//                          results (read it with `npx tsx bench/profile-top.ts <file>`)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createAppData, REDIS_URL, startAppHost, startRawServer, startSubscribers, withRunningApp, type BenchContext } from './lib/harness.ts';
import { killChildren } from './lib/ipc.ts';
import { printTable, writeResults } from './lib/report.ts';
import type { RowResult } from './lib/rows.ts';
import { MODE, SIZES } from './lib/sizes.ts';
import { createTaskPool } from './lib/task-pool.ts';
import { broadcast } from './scenarios/broadcast.ts';
import { eventAge } from './scenarios/event-age.ts';
import { executeStageThroughput } from './scenarios/execute-stage.ts';
import { firstToken } from './scenarios/first-token.ts';
import { micro } from './scenarios/micro.ts';
import { replay } from './scenarios/replay.ts';
import { streamsPerSubscriber } from './scenarios/streams.ts';

const outDir = process.env.BENCH_OUT ?? fileURLToPath(new URL('./results/', import.meta.url));
const profileRow = process.env.BENCH_PROFILE;
const startedAt = new Date();
const t0 = Date.now();
const rows: RowResult[] = [];
const progress = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

const redis = new Redis(REDIS_URL);
progress(`${MODE} run; Redis at ${REDIS_URL}; starting the servers and the subscriber process`);
const starting = Promise.all([startAppHost(), startRawServer(), startSubscribers()]);
starting.catch(() => killChildren());
const [host, raw, subscribers] = await starting;
// Once the children are up and idle: measured alongside their start, these rows would price tsx compiling.
progress('micro: append vs publish, batcher vs append');
rows.push(...(await micro(SIZES.microTokens)));
const ctx: BenchContext = {
  sizes: SIZES,
  host,
  raw,
  subscribers,
  redis,
  record: (row) => rows.push(row),
  progress,
  async profiled(rowId, server, work) {
    if (profileRow !== rowId) return work();
    const kind = rowId.startsWith('memory-') ? 'heap' : 'cpu';
    await server.call('profileStart', { kind });
    try {
      return await work();
    } finally {
      const file = join(outDir, `${rowId}-${startedAt.toISOString().replace(/[:.]/g, '-')}.${kind}profile`);
      await server.call('profileStop', { file });
      progress(`CPU profile of ${rowId}: ${file}`);
    }
  },
};

try {
  // One SQLite database and Redis prefix for every SQLite app, one app after another.
  const data = await createAppData('sqlite');
  try {
    progress(`API on SQLite: ${SIZES.broadcastSubs} idle subscriptions (memory), then a broadcast to them over ws`);
    await withRunningApp(host, data, 'api', async (app) => {
      const user = await app.api.signUp();
      const projectId = await app.api.createProject(user.token);
      const task = { taskId: await app.api.executeStage(user.token, projectId), projectId, stage: 'REWRITE' as const, ownerToken: user.token };
      await broadcast(ctx, app, task, 'ws');
      await app.api.cancelTask(user.token, task.taskId); // so no worker of the next apps runs it
    });

    progress('first token: 1 user, offline provider at 0 delay (API and worker in one process)');
    const users = await firstToken(ctx, data);

    progress('API on SQLite: executeStage throughput');
    await withRunningApp(host, data, 'api', async (app) => {
      const made = await executeStageThroughput(ctx, app, 'execute-stage-sqlite', users);
      const { ageStreams, streamSubs } = SIZES;
      const pool = await createTaskPool(app, 1 + 2 * ageStreams + streamSubs + 1, users.slice(0, SIZES.executeUsers), made);
      progress(`tasks for the streaming rows topped up with runPipeline (${pool.pipelinesPerSecond.toFixed(0)} calls/s, 5 tasks each)`);
      progress(`broadcast over SSE: 1 task → ${SIZES.broadcastSubs} subscribers`);
      await broadcast(ctx, app, pool.take(1)[0], 'sse');
      for (const transport of ['ws', 'sse'] as const) {
        progress(`event age over ${transport}`);
        await eventAge(ctx, app, pool, transport);
      }
      progress(`one stream per subscriber, ${streamSubs} subscribers (rate search)`);
      await streamsPerSubscriber(ctx, app, pool);
      progress('replay');
      await replay(ctx, app, pool);
    });
  } finally {
    await data.drop();
  }

  progress('API on PostgreSQL: executeStage throughput');
  const pg = await createAppData('postgres');
  try {
    await withRunningApp(host, pg, 'api', (app) => executeStageThroughput(ctx, app, 'execute-stage-postgres'));
  } finally {
    await pg.drop();
  }

  const seconds = (Date.now() - t0) / 1000;
  printTable(rows);
  const file = writeResults(rows, { mode: MODE, startedAt, seconds, sizes: SIZES }, outDir);
  console.log(`\n${rows.length} rows in ${seconds.toFixed(0)} s; written to ${file}`);
} catch (err) {
  killChildren();
  throw err;
} finally {
  await Promise.all([subscribers.stop(), raw.stop(), host.stop()]);
  redis.disconnect();
}
