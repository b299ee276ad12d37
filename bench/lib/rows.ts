// The table's rows: what each figure is, its unit, which way is better and the target it
// is read against (for information: the bench measures, it asserts nothing). `raw` names
// the baseline measured in the same run, when the row has one; ratio = ours / raw.

export interface RowSpec {
  id: string;
  figure: string;
  unit: string;
  better: 'higher' | 'lower';
  /** The baseline, when the row has one. */
  raw?: string;
  target: string;
  meets?: (ours: number, ratio: number | null) => boolean;
}

const atMost = (n: number) => (ours: number) => ours <= n;
const atLeast = (n: number) => (ours: number) => ours >= n;
const ratioAtLeast = (n: number) => (_: number, ratio: number | null) => ratio !== null && ratio >= n;

export const ROWS: RowSpec[] = [
  { id: 'append-vs-publish', figure: 'fenced event-log append vs bare PUBLISH, one awaited per token', unit: 'tokens/s', better: 'higher', raw: 'bare PUBLISH', target: 'context' },
  { id: 'render-stall', figure: 'longest event-loop stall while scene images are drawn, render threads vs main thread', unit: 'ms', better: 'lower', raw: 'drawn on the main thread', target: 'context' },
  { id: 'batcher-vs-append', figure: 'token batcher vs one awaited append per token', unit: 'tokens/s', better: 'higher', raw: 'append per token', target: 'context' },
  { id: 'first-token-1-user', figure: 'executeStage → first token, 1 user, offline at 0 delay, p50', unit: 'ms', better: 'lower', target: 'p50 ≤ 15 ms', meets: atMost(15) },
  { id: 'first-token-100-users', figure: 'the same, 100 users at once (quick run: 50), default settings, p99', unit: 'ms', better: 'lower', target: 'p99 ≤ 250 ms', meets: atMost(250) },
  { id: 'first-token-100-users-c100', figure: 'the same users with WORKER_CONCURRENCY=100, p99', unit: 'ms', better: 'lower', target: 'context' },
  { id: 'broadcast-ws', figure: 'broadcast: 1 task → N graphql-ws subscribers', unit: 'deliveries/s', better: 'higher', raw: 'ioredis → ws', target: '≥ 0.5× raw', meets: ratioAtLeast(0.5) },
  { id: 'broadcast-sse', figure: 'broadcast: 1 task → N SSE subscribers', unit: 'deliveries/s', better: 'higher', raw: 'ioredis → SSE', target: '≥ 0.5× raw', meets: ratioAtLeast(0.5) },
  { id: 'streams-ws', figure: 'one stream per subscriber, N subscribers: tokens/s at p99 age ≤ 50 ms', unit: 'tokens/s', better: 'higher', raw: 'ioredis → ws', target: '≥ 1.0× raw', meets: ratioAtLeast(1) },
  { id: 'event-age-ws-p50', figure: 'event age (written → received) at 5k events/s, graphql-ws, p50', unit: 'ms', better: 'lower', raw: 'ioredis → ws', target: 'p50 ≤ 2 ms', meets: atMost(2) },
  { id: 'event-age-ws-p99', figure: 'event age at 5k events/s, graphql-ws, p99', unit: 'ms', better: 'lower', raw: 'ioredis → ws', target: 'p99 ≤ 25 ms', meets: atMost(25) },
  { id: 'event-age-sse-p50', figure: 'event age at 5k events/s, SSE, p50', unit: 'ms', better: 'lower', raw: 'ioredis → SSE', target: 'p50 ≤ 2 ms', meets: atMost(2) },
  { id: 'event-age-sse-p99', figure: 'event age at 5k events/s, SSE, p99', unit: 'ms', better: 'lower', raw: 'ioredis → SSE', target: 'p99 ≤ 25 ms', meets: atMost(25) },
  { id: 'memory-idle-rss', figure: 'memory per idle subscription, socket included, server RSS', unit: 'KB', better: 'lower', raw: 'ioredis → ws', target: '≤ 15 KB', meets: atMost(15) },
  { id: 'memory-idle-heap', figure: 'memory per idle subscription, server JS heap + external', unit: 'KB', better: 'lower', raw: 'ioredis → ws', target: '≤ 15 KB', meets: atMost(15) },
  { id: 'execute-stage-sqlite', figure: 'executeStage throughput, SQLite', unit: 'calls/s', better: 'higher', target: '≥ 1,000/s', meets: atLeast(1000) },
  { id: 'execute-stage-postgres', figure: 'executeStage throughput, PostgreSQL', unit: 'calls/s', better: 'higher', target: '≥ 1,000/s', meets: atLeast(1000) },
  { id: 'replay-10k', figure: 'replay of a 10,000-event log from cursor 0 (graphql-ws)', unit: 'events/s', better: 'higher', raw: 'XRANGE → ws', target: '≥ 50k events/s', meets: atLeast(50_000) },
];

export const ROW_IDS = ROWS.map((r) => r.id);

export interface RowResult {
  id: string;
  figure: string;
  unit: string;
  better: 'higher' | 'lower';
  ours: number;
  raw: number | null;
  rawName: string | null;
  ratio: number | null;
  target: string;
  meets: boolean | null;
  note: string;
}

export function rowResult(id: string, ours: number, raw: number | null = null, note = ''): RowResult {
  const spec = ROWS.find((r) => r.id === id);
  if (!spec) throw new Error(`no row ${id}`);
  const ratio = raw !== null && raw !== 0 && Number.isFinite(raw) ? ours / raw : null;
  return {
    id,
    figure: spec.figure,
    unit: spec.unit,
    better: spec.better,
    ours,
    raw,
    rawName: spec.raw ?? null,
    ratio,
    target: spec.target,
    meets: spec.meets ? spec.meets(ours, ratio) : null,
    note,
  };
}
