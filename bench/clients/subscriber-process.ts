// The load generator's process: opens subscriptions (ours or the raw baselines') on the
// runner's request and records what arrives. It never publishes, so its clock readings
// are only ever "received".
import { serveParent } from '../lib/ipc.ts';
import { nowUs, waitUntil } from '../lib/stats.ts';
import { connect, type Conn, type Kind, type SubSpec } from './connections.ts';
import { createRecorder, newSub, type SubState } from './recorder.ts';

const rec = createRecorder();
const subs: SubState[] = [];
const conns: Conn[] = [];

interface OpenArgs {
  kind: Kind;
  base: string;
  specs: SubSpec[];
  /** Wait until each subscription has received its first message (the log's replay, the raw server's `ready`). */
  waitReady?: boolean;
  concurrency?: number;
  timeoutMs?: number;
}

async function open(args: OpenArgs) {
  const startedAt = nowUs();
  const first = subs.length;
  const timeoutMs = args.timeoutMs ?? 60_000;
  let next = 0;
  const lane = async () => {
    while (next < args.specs.length) {
      const spec = args.specs[next++];
      const sub = newSub();
      subs.push(sub);
      conns.push(await connect(args.kind, args.base, spec, sub, rec));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency ?? 50, args.specs.length) }, lane));
  const mine = subs.slice(first);
  if (args.waitReady && !(await waitUntil(() => mine.every((s) => s.ready || s.done), timeoutMs, 10))) {
    throw new Error(`${mine.filter((s) => !s.ready).length} of ${mine.length} ${args.kind} subscriptions were not ready within ${timeoutMs} ms`);
  }
  const stats = rec.stats();
  if (stats.errors) throw new Error(`${stats.errors} subscription errors; first: ${stats.firstError}`);
  return { first, count: mine.length, startedAt, ms: (nowUs() - startedAt) / 1000 };
}

serveParent(
  { pid: process.pid },
  {
    open: (a) => open(a as unknown as OpenArgs),
    reset: () => rec.reset(),
    stats: () => rec.stats(),
    /** Resolves with the stats once `tokens` (or `events`) have arrived, or at the timeout. */
    waitCount: async (a) => {
      const { tokens, events, timeoutMs } = a as { tokens?: number; events?: number; timeoutMs: number };
      await waitUntil(() => (tokens === undefined || rec.tokens >= tokens) && (events === undefined || rec.events >= events), timeoutMs, 5);
      return rec.stats();
    },
    /** When each of these subscriptions saw its first token (or its CompletedEvent); 0 where it did not within the timeout. */
    waitFor: async (a) => {
      const { indexes, what, timeoutMs } = a as { indexes: number[]; what: 'firstToken' | 'completed'; timeoutMs: number };
      const at = (i: number) => (what === 'firstToken' ? subs[i].firstTokenAt : subs[i].completedAt);
      await waitUntil(() => indexes.every((i) => at(i) > 0 || subs[i].done), timeoutMs, 1);
      return indexes.map(at);
    },
    closeAll: async () => {
      for (const s of subs) s.done = true;
      await Promise.all(conns.map((c) => c.close()));
      subs.length = 0;
      conns.length = 0;
      rec.reset();
    },
  },
);
