// Event age (written → received) at 5k events/s: the events go round-robin over S tasks
// with one subscriber each (S × 5000/S events/s, a busy server's many streams), one
// append per event, stamped right before it is written. The raw path publishes the same
// events to S channels of the raw server. Over graphql-ws and over SSE.
import { randomUUID } from 'node:crypto';
import { ourEventFeed, rawChannel, rawFeed, takeOver } from '../lib/feeds.ts';
import type { TaskPool } from '../lib/task-pool.ts';
import { TASK_PROGRESS } from '../lib/gql-http.ts';
import type { AppHandle, BenchContext } from '../lib/harness.ts';
import { rowResult } from '../lib/rows.ts';
import { runFeed } from '../lib/run-feed.ts';

export async function eventAge(ctx: BenchContext, app: AppHandle, pool: TaskPool, transport: 'ws' | 'sse'): Promise<void> {
  const { ageStreams: s, ageRate: rate, ageSeconds: seconds } = ctx.sizes;
  const tasks = pool.take(s);
  await takeOver(app.eventLog, tasks);
  const events = Math.round(rate * seconds);
  const common = { streams: s, events, rate, expected: events, drainMs: 30_000 };

  const ours = await runFeed(ctx, {
    ...common,
    kind: `gql-${transport}`,
    server: app.process,
    base: app.url,
    specs: tasks.map((t) => ({ token: t.ownerToken, query: TASK_PROGRESS, variables: { taskId: t.taskId, after: 0 } })),
    feed: ourEventFeed(app.eventLog, tasks),
    around: (work) => ctx.profiled(`event-age-${transport}`, app.process, work),
  });

  const prefix = `bench-raw-${randomUUID().slice(0, 8)}:`;
  const channels = tasks.map((t) => rawChannel(prefix, t.taskId));
  const raw = await runFeed(ctx, {
    ...common,
    kind: `raw-${transport}`,
    server: ctx.raw,
    base: ctx.raw.hello.url,
    specs: channels.map((c) => ({ path: `/${transport}?channel=${encodeURIComponent(c)}` })),
    feed: rawFeed(ctx.redis, tasks, channels),
  });

  const note = `${s} streams × ${rate / s} events/s for ${seconds} s, one subscriber each; ours p90 ${ours.stats.ages.p90.toFixed(2)} ms, max ${ours.stats.ages.max.toFixed(1)} ms; raw max ${raw.stats.ages.max.toFixed(1)} ms; server CPU per event ours ${ours.serverCpuUs.toFixed(0)} µs, raw ${raw.serverCpuUs.toFixed(0)} µs`;
  ctx.record(rowResult(`event-age-${transport}-p50`, ours.stats.ages.p50, raw.stats.ages.p50, note));
  ctx.record(rowResult(`event-age-${transport}-p99`, ours.stats.ages.p99, raw.stats.ages.p99));
}
