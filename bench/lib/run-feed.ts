// One measured pass, the same for ours and the raw baselines: open the subscriptions and
// wait until each has had its first message, write `events` token events round-robin over
// the streams at `rate`, then wait until the subscribers have every token they should get.
import type { Kind, SubSpec } from '../clients/connections.ts';
import type { RecorderStats } from '../clients/recorder.ts';
import { paced, stamp, type Feed } from './feeds.ts';
import type { BenchContext } from './harness.ts';
import type { ChildHandle } from './ipc.ts';

export interface FeedRun {
  kind: Kind;
  /** The server process (for its CPU time) and its URL. */
  server: ChildHandle<unknown>;
  base: string;
  specs: SubSpec[];
  feed: Feed;
  /** Streams the events go round-robin over (feed index = k % streams). */
  streams: number;
  events: number;
  rate: number;
  /** Tokens the subscribers receive in all (events × subscribers per stream). */
  expected: number;
  /** How long to wait for the last delivery after the last write. */
  drainMs: number;
  /** Wraps the measured part (writes and deliveries, not the subscribing): a CPU profile, say. */
  around?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface FeedResult {
  stats: RecorderStats;
  startedAt: number;
  /** Deliveries per second, from the first write to the last delivery. */
  deliveriesPerSecond: number;
  complete: boolean;
  /** CPU time per token delivered (µs), of the server process and of the subscriber process. */
  serverCpuUs: number;
  clientCpuUs: number;
}

export async function openAll(ctx: BenchContext, run: Pick<FeedRun, 'kind' | 'base' | 'specs'>): Promise<void> {
  await ctx.subscribers.open(run.kind, run.base, run.specs, { waitReady: true, timeoutMs: 120_000 });
}

/** Writes and measures on subscriptions already open (see openAll). */
export async function writeAndMeasure(ctx: BenchContext, run: Omit<FeedRun, 'kind' | 'base' | 'specs'>): Promise<FeedResult> {
  await ctx.subscribers.reset();
  const cpu = () => Promise.all([run.server.call<number>('cpu'), ctx.subscribers.cpu()]);
  const [server0, client0] = await cpu();
  const { startedAt } = await paced(run.events, run.rate, (k) => run.feed.send(k % run.streams, stamp()));
  await run.feed.flush();
  const stats = await ctx.subscribers.waitCount({ tokens: run.expected, timeoutMs: run.drainMs });
  const [server1, client1] = await cpu();
  if (stats.errors) throw new Error(`${stats.errors} subscription errors; first: ${stats.firstError}`);
  const seconds = (stats.lastTokenAt - startedAt) / 1e6;
  return {
    stats,
    startedAt,
    deliveriesPerSecond: stats.tokens / seconds,
    complete: stats.tokens >= run.expected,
    serverCpuUs: (server1 - server0) / stats.tokens,
    clientCpuUs: (client1 - client0) / stats.tokens,
  };
}

export async function runFeed(ctx: BenchContext, run: FeedRun): Promise<FeedResult> {
  await openAll(ctx, run);
  try {
    return await (run.around ?? ((work) => work()))(() => writeAndMeasure(ctx, run));
  } finally {
    await ctx.subscribers.closeAll();
  }
}
