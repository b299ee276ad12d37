// One stream per subscriber: N tasks, each followed by one subscriber, model tokens spread
// evenly over them. The figure is the highest total rate (tokens/s) at which every token
// arrives and the p99 token age stays within 50 ms: the rate doubles until a step fails (or
// halves until one holds), then two bisection steps refine it; 0 when even the lowest fails. Ours streams through the worker's token batcher (one
// append in flight per task, later tokens go out together); the raw path PUBLISHes each token.
import { randomUUID } from 'node:crypto';
import { ourTokenFeed, rawChannel, rawFeed, takeOver, type Feed } from '../lib/feeds.ts';
import type { TaskPool } from '../lib/task-pool.ts';
import { TASK_PROGRESS } from '../lib/gql-http.ts';
import type { AppHandle, BenchContext } from '../lib/harness.ts';
import { rowResult } from '../lib/rows.ts';
import { openAll, writeAndMeasure, type FeedRun } from '../lib/run-feed.ts';

const MAX_AGE_P99_MS = 50;

interface Search {
  best: number;
  steps: string[];
}

async function search(ctx: BenchContext, run: Pick<FeedRun, 'kind' | 'server' | 'base' | 'specs'>, feed: Feed, streams: number, profileAs: string): Promise<Search> {
  await openAll(ctx, run);
  try {
    return await ctx.profiled(profileAs, run.server, () => steps(ctx, run, feed, streams));
  } finally {
    await ctx.subscribers.closeAll();
  }
}

async function steps(ctx: BenchContext, run: Pick<FeedRun, 'server'>, feed: Feed, streams: number): Promise<Search> {
  const seconds = ctx.sizes.streamStepSeconds;
  const steps: string[] = [];
  const step = async (rate: number) => {
    const events = Math.round(rate * seconds);
    const r = await writeAndMeasure(ctx, { server: run.server, feed, streams, events, rate, expected: events, drainMs: 10_000 });
    const ok = r.complete && r.stats.ages.p99 <= MAX_AGE_P99_MS;
    steps.push(`${rate}${ok ? '✓' : '✗'}(p99 ${r.stats.ages.p99.toFixed(0)} ms, ${r.serverCpuUs.toFixed(0)} µs CPU/token)`);
    // A backlog that did not drain would spill into the next step: stop searching.
    return { ok, drained: r.complete };
  };
  // Double from the start rate while it holds; halve while it does not (down to 1/16 of it).
  let pass = 0;
  let fail = 0;
  const start = ctx.sizes.streamStartRate;
  for (let rate = start; ; ) {
    const r = await step(rate);
    if (r.ok) pass = rate;
    else fail = rate;
    if (!r.drained && !r.ok) break;
    if (r.ok && !fail && rate * 2 <= ctx.sizes.streamMaxRate) rate *= 2;
    else if (!r.ok && !pass && rate / 2 >= start / 16) rate /= 2;
    else break;
  }
  for (let i = 0; i < 2 && pass && fail && fail - pass > 1; i++) {
    const mid = Math.round((pass + fail) / 2);
    const r = await step(mid);
    if (r.ok) pass = mid;
    else {
      fail = mid;
      if (!r.drained) break;
    }
  }
  return { best: pass, steps };
}

export async function streamsPerSubscriber(ctx: BenchContext, app: AppHandle, pool: TaskPool): Promise<void> {
  const n = ctx.sizes.streamSubs;
  const tasks = pool.take(n);
  await takeOver(app.eventLog, tasks);
  const ours = await search(
    ctx,
    { kind: 'gql-ws', server: app.process, base: app.url, specs: tasks.map((t) => ({ token: t.ownerToken, query: TASK_PROGRESS, variables: { taskId: t.taskId, after: 0 } })) },
    ourTokenFeed(app.eventLog, tasks),
    n,
    'streams-ws',
  );
  const prefix = `bench-raw-${randomUUID().slice(0, 8)}:`;
  const channels = tasks.map((t) => rawChannel(prefix, t.taskId));
  const raw = await search(
    ctx,
    { kind: 'raw-ws', server: ctx.raw, base: ctx.raw.hello.url, specs: channels.map((c) => ({ path: `/ws?channel=${encodeURIComponent(c)}` })) },
    rawFeed(ctx.redis, tasks, channels),
    n,
    'streams-ws-raw',
  );
  ctx.record(rowResult('streams-ws', ours.best, raw.best, `${n} subscribers, ${ctx.sizes.streamStepSeconds} s per step; ours ${ours.steps.join(' ')}; raw ${raw.steps.join(' ')}`));
}
