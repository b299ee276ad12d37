// Prometheus metrics (prom-client) of one process, in a registry of its own: several apps in
// one process (the tests) never share a metric. Counters are bumped where things happen
// (each part takes an optional `metrics`); the queue's depth is read from Redis when scraped.
// Every series carries the process's role; Prometheus adds the instance.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a task's attempt began: its first, a retry after a retryable failure, or a takeover of a dead worker's job. */
export type AttemptKind = 'first' | 'retry' | 'takeover';

export interface Metrics {
  readonly registry: Registry;
  /** The Content-Type of `scrape()`'s text. */
  readonly contentType: string;
  /** The exposition text (what GET /metrics answers). */
  scrape(): Promise<string>;
  /** Queue depth by state, read at each scrape. */
  observeQueue(counts: () => Promise<Record<string, number>>): void;

  /** A task ended with its final status; `runSeconds` from its first start (null: it never started). */
  taskFinished(stage: string, status: string, runSeconds: number | null): void;
  /** An attempt took its task's lease. */
  attemptStarted(stage: string, kind: AttemptKind): void;
  /** A failed attempt was scheduled for a retry. */
  retryScheduled(stage: string): void;
  /** The first token of an attempt, this long after the attempt started. */
  firstToken(stage: string, seconds: number): void;
  /** Events appended to task logs, by event type. */
  eventsAppended(type: string, count?: number): void;
  /** A subscription stream opened (+1) or closed (-1) on this API instance. */
  streamChanged(transport: string, delta: 1 | -1): void;
  /** One result delivered to a subscriber. */
  delivered(transport: string): void;
  /** A call to a model provider ended; `errorClass` null when it succeeded. */
  providerCall(kind: string, provider: string, errorClass: string | null): void;
  /** A request refused by a rate limit. */
  rateLimited(limit: string): void;
}

const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const FIRST_TOKEN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export interface MetricsOptions {
  /** The process's role, a label on every series. */
  role: string;
  /** Process and Node.js defaults (CPU, memory, GC, event-loop lag). @default true */
  defaults?: boolean;
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role: opts.role });
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const registers = [registry];

  const tasksFinished = new Counter({ name: 'sp_tasks_finished_total', help: 'Tasks ended, by stage and final status (COMPLETED, FAILED, CANCELLED).', labelNames: ['stage', 'status'], registers });
  const taskDuration = new Histogram({
    name: 'sp_task_duration_seconds',
    help: 'Time from a task’s first start to its end (retries and waits between them included), by stage and final status.',
    labelNames: ['stage', 'status'],
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const attempts = new Counter({ name: 'sp_task_attempts_total', help: 'Attempts started, by stage.', labelNames: ['stage'], registers });
  const retries = new Counter({ name: 'sp_task_retries_total', help: 'Failed attempts scheduled for a retry, by stage.', labelNames: ['stage'], registers });
  const takeovers = new Counter({
    name: 'sp_task_takeovers_total',
    help: 'Attempts that took over a task whose previous attempt died or lost its job (not a retry), by stage.',
    labelNames: ['stage'],
    registers,
  });
  const firstToken = new Histogram({
    name: 'sp_time_to_first_token_seconds',
    help: 'Time from an attempt’s start to its first streamed token, by stage.',
    labelNames: ['stage'],
    buckets: FIRST_TOKEN_BUCKETS,
    registers,
  });
  const events = new Counter({ name: 'sp_events_appended_total', help: 'Events appended to task logs, by event type.', labelNames: ['type'], registers });
  const streams = new Gauge({ name: 'sp_open_subscriptions', help: 'Subscription streams open on this API instance, by transport (ws, sse, http).', labelNames: ['transport'], registers });
  const deliveries = new Counter({ name: 'sp_subscription_deliveries_total', help: 'Results delivered to subscribers, by transport.', labelNames: ['transport'], registers });
  const providerCalls = new Counter({
    name: 'sp_provider_calls_total',
    help: 'Calls to model providers, by kind (text, image, video, audio), provider and outcome (ok, error).',
    labelNames: ['kind', 'provider', 'outcome'],
    registers,
  });
  const providerErrors = new Counter({
    name: 'sp_provider_errors_total',
    help: 'Failed provider calls, by kind, provider and error class (PROVIDER_RATE_LIMITED, PROVIDER_TIMEOUT, …; aborted; other).',
    labelNames: ['kind', 'provider', 'class'],
    registers,
  });
  const rateLimited = new Counter({ name: 'sp_rate_limited_total', help: 'Requests refused by a rate limit, by limit.', labelNames: ['limit'], registers });

  let queueCounts: (() => Promise<Record<string, number>>) | null = null;
  new Gauge({
    name: 'sp_queue_jobs',
    help: 'Jobs in the task queue by state (waiting, active, delayed, prioritized, waiting-children, completed, failed), read when scraped.',
    labelNames: ['state'],
    registers,
    async collect() {
      if (!queueCounts) return;
      try {
        const counts = await queueCounts();
        this.reset();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      } catch {
        this.reset(); // Redis unreachable: no depth rather than a stale one (the scrape still answers)
      }
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    observeQueue(counts) {
      queueCounts = counts;
    },
    taskFinished(stage, status, runSeconds) {
      tasksFinished.inc({ stage, status });
      if (runSeconds !== null) taskDuration.observe({ stage, status }, Math.max(0, runSeconds));
    },
    attemptStarted(stage, kind) {
      attempts.inc({ stage });
      if (kind === 'takeover') takeovers.inc({ stage });
    },
    retryScheduled: (stage) => retries.inc({ stage }),
    firstToken: (stage, seconds) => firstToken.observe({ stage }, Math.max(0, seconds)),
    eventsAppended: (type, count = 1) => events.inc({ type }, count),
    streamChanged: (transport, delta) => streams.inc({ transport }, delta),
    delivered: (transport) => deliveries.inc({ transport }),
    providerCall(kind, provider, errorClass) {
      providerCalls.inc({ kind, provider, outcome: errorClass === null ? 'ok' : 'error' });
      if (errorClass !== null) providerErrors.inc({ kind, provider, class: errorClass });
    },
    rateLimited: (limit) => rateLimited.inc({ limit }),
  };
}
