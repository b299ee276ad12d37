// Memory per idle subscription, socket included, on the server: the server's growth
// (after a full GC) while N sockets with one subscription each are opened, divided by N.
// The broadcast scenario opens its subscribers on a quiet task and measures this first,
// on freshly started server processes, so the growth is not hidden in memory freed earlier.
import type { ChildHandle } from '../lib/ipc.ts';
import type { BenchContext } from '../lib/harness.ts';
import { rowResult } from '../lib/rows.ts';

export interface PerSubscription {
  /** KB of resident memory. */
  rss: number;
  /** KB of V8 heap used plus external memory (buffers). */
  heap: number;
}

export async function growthPerSubscription(server: ChildHandle<unknown>, n: number, open: () => Promise<unknown>): Promise<PerSubscription> {
  const before = await server.call<NodeJS.MemoryUsage>('memory');
  await open();
  const after = await server.call<NodeJS.MemoryUsage>('memory');
  const kb = (bytes: number) => bytes / n / 1024;
  return { rss: kb(after.rss - before.rss), heap: kb(after.heapUsed + after.external - before.heapUsed - before.external) };
}

export function recordMemory(ctx: BenchContext, n: number, ours: PerSubscription, raw: PerSubscription): void {
  ctx.record(rowResult('memory-idle-rss', ours.rss, raw.rss, `${n} sockets × 1 subscription (taskProgress of one running, quiet task), after a full GC`));
  ctx.record(rowResult('memory-idle-heap', ours.heap, raw.heap, 'the same; V8 heap used + external (buffers)'));
}
