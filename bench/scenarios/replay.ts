// Replay of a 10,000-event log from cursor 0: a subscriber opens taskProgress(after: 0) on
// a task whose log already holds 10,000 events; the clock runs from the moment the
// subscriber process starts connecting to the 10,000th event received. The raw path reads
// the same Redis stream (XRANGE, pages of 1000) and sends each entry over a plain WebSocket.
import { BENCH_LEASE, takeOver } from '../lib/feeds.ts';
import type { TaskPool } from '../lib/task-pool.ts';
import { TASK_PROGRESS } from '../lib/gql-http.ts';
import type { AppHandle, BenchContext } from '../lib/harness.ts';
import { rowResult } from '../lib/rows.ts';
import { summarize } from '../lib/stats.ts';
import type { Kind, SubSpec } from '../clients/connections.ts';

async function eventsPerSecond(ctx: BenchContext, kind: Kind, base: string, spec: SubSpec, events: number): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < ctx.sizes.replayRuns; i++) {
    await ctx.subscribers.reset();
    const { startedAt } = await ctx.subscribers.open(kind, base, [spec]);
    const stats = await ctx.subscribers.waitCount({ events, timeoutMs: 60_000 });
    await ctx.subscribers.closeAll();
    if (stats.events < events) throw new Error(`${kind}: replayed ${stats.events} of ${events} events`);
    rates.push(events / ((stats.lastTokenAt - startedAt) / 1e6));
  }
  return summarize(rates).p50;
}

export async function replay(ctx: BenchContext, app: AppHandle, pool: TaskPool): Promise<void> {
  const events = ctx.sizes.replayEvents;
  const [task] = pool.take(1);
  await takeOver(app.eventLog, [task]); // seq 1 QUEUED, seq 2 RUNNING
  for (let seq = 2; seq < events; ) {
    const n = Math.min(100, events - seq);
    await app.eventLog.append(task, BENCH_LEASE, Array.from({ length: n }, (_, i) => ({ type: 'token' as const, delta: `token ${seq + i + 1} ` })));
    seq += n;
  }
  const ours = await ctx.profiled('replay-10k', app.process, () =>
    eventsPerSecond(ctx, 'gql-ws', app.url, { token: task.ownerToken, query: TASK_PROGRESS, variables: { taskId: task.taskId, after: 0 } }, events),
  );
  const raw = await ctx.profiled('replay-10k-raw', ctx.raw, () =>
    eventsPerSecond(ctx, 'raw-ws', ctx.raw.hello.url, { path: `/ws?stream=${encodeURIComponent(app.keys.taskLog(task.taskId))}` }, events),
  );
  ctx.record(rowResult('replay-10k', ours, raw, `${events} events, connect included; median of ${ctx.sizes.replayRuns} run(s)`));
}
