// Broadcast: one task, N subscribers, every event to every one of them. Ours follows the
// task (taskProgress over graphql-ws or SSE); the raw server forwards its channel. Both get
// the same events (same JSON, same sizes) at the same rate; the figure is deliveries per
// second from the first write to the last delivery. Over WebSocket the subscribers are
// first counted idle, for the memory rows (see memory.ts).
import { randomUUID } from 'node:crypto';
import { ourEventFeed, rawChannel, rawFeed, takeOver, type BenchTask } from '../lib/feeds.ts';
import { TASK_PROGRESS } from '../lib/gql-http.ts';
import type { AppHandle, BenchContext } from '../lib/harness.ts';
import type { ChildHandle } from '../lib/ipc.ts';
import { rowResult } from '../lib/rows.ts';
import { openAll, writeAndMeasure, type FeedResult, type FeedRun } from '../lib/run-feed.ts';
import { growthPerSubscription, recordMemory, type PerSubscription } from './memory.ts';

async function pass(ctx: BenchContext, server: ChildHandle<unknown>, run: FeedRun, withMemory: boolean): Promise<{ result: FeedResult; memory: PerSubscription | null }> {
  try {
    let memory: PerSubscription | null = null;
    if (withMemory) {
      // A few first, then closed: the lazy first-use allocations (JIT, caches) are not the subscriptions'.
      await openAll(ctx, { ...run, specs: run.specs.slice(0, 20) });
      await ctx.subscribers.closeAll();
      const rowId = run.kind.startsWith('gql') ? 'memory-idle-heap' : 'memory-idle-heap-raw';
      memory = await growthPerSubscription(server, run.specs.length, () => ctx.profiled(rowId, server, () => openAll(ctx, run)));
    } else await openAll(ctx, run);
    const result = await (run.around ?? ((work) => work()))(() => writeAndMeasure(ctx, run));
    return { result, memory };
  } finally {
    await ctx.subscribers.closeAll();
  }
}

export async function broadcast(ctx: BenchContext, app: AppHandle, task: BenchTask, transport: 'ws' | 'sse'): Promise<void> {
  const { broadcastSubs: n, broadcastEvents: events, broadcastRate: rate } = ctx.sizes;
  await takeOver(app.eventLog, [task]);
  const common = { streams: 1, events, rate, expected: events * n, drainMs: 120_000 };
  const rowId = transport === 'ws' ? 'broadcast-ws' : 'broadcast-sse';
  const withMemory = transport === 'ws';

  const spec = { token: task.ownerToken, query: TASK_PROGRESS, variables: { taskId: task.taskId, after: 0 } };
  const ours = await pass(
    ctx,
    app.process,
    {
      ...common,
      kind: `gql-${transport}`,
      server: app.process,
      base: app.url,
      specs: Array.from({ length: n }, () => spec),
      feed: ourEventFeed(app.eventLog, [task]),
      around: (work) => ctx.profiled(rowId, app.process, work),
    },
    withMemory,
  );

  const channel = rawChannel(`bench-raw-${randomUUID().slice(0, 8)}:`, task.taskId);
  const path = `/${transport}?channel=${encodeURIComponent(channel)}`;
  const raw = await pass(
    ctx,
    ctx.raw,
    {
      ...common,
      kind: `raw-${transport}`,
      server: ctx.raw,
      base: ctx.raw.hello.url,
      specs: Array.from({ length: n }, () => ({ path })),
      feed: rawFeed(ctx.redis, [task], [channel]),
      around: (work) => ctx.profiled(`${rowId}-raw`, ctx.raw, work),
    },
    withMemory,
  );

  if (ours.memory && raw.memory) recordMemory(ctx, n, ours.memory, raw.memory);
  const incomplete = [ours, raw].some((r) => !r.result.complete) ? '; INCOMPLETE: not every delivery arrived' : '';
  const o = ours.result;
  const r = raw.result;
  ctx.record(
    rowResult(
      rowId,
      o.deliveriesPerSecond,
      r.deliveriesPerSecond,
      `${n} subscribers × ${events} events written at ${rate}/s; event age p99 ours ${o.stats.ages.p99.toFixed(0)} ms, raw ${r.stats.ages.p99.toFixed(0)} ms; ` +
        `server CPU per delivery ours ${o.serverCpuUs.toFixed(0)} µs, raw ${r.serverCpuUs.toFixed(0)} µs (subscriber process ${o.clientCpuUs.toFixed(0)} / ${r.clientCpuUs.toFixed(0)} µs)${incomplete}`,
    ),
  );
}
