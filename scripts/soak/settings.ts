// What a soak run does, from the environment: its size, its pace, its faults and its bound.
// SOAK_QUICK=1 is a small run for development; SOAK_SEED makes the choices repeatable
// (the timing of a multi-process run never is).

export interface SoakSettings {
  /** Tasks to create in all. @default 1000, or 60 with SOAK_QUICK=1 (env SOAK_TASKS) */
  tasks: number;
  /** Users the tasks are spread over. @default 50, or 8 quick (env SOAK_USERS) */
  users: number;
  /** Share of the tasks that come from runPipeline (5 tasks each), the rest from executeStage. @default 0.1 */
  pipelineShare: number;
  /** Tasks created per second while loading. @default 12, or 6 quick (env SOAK_RATE) */
  ratePerSecond: number;
  /** Share of tasks followed over graphql-ws. @default 0.4 (env SOAK_SUBSCRIBE_SHARE) */
  subscribeShare: number;
  /** Share of tasks cancelled, 0 to 3 s after creation. @default 0.1 (env SOAK_CANCEL_SHARE) */
  cancelShare: number;
  /** Chance that a provider request gets a fault (429, 500, a cut stream) while loading. @default 0.12 (env SOAK_FAULT_RATE) */
  faultRate: number;
  /** The worker is SIGKILLed when this share of the tasks has been created. @default 0.35 */
  killAt: number;
  /** Redis is restarted when this share of the tasks has been created. @default 0.65 */
  redisRestartAt: number;
  /** How long Redis stays down on its restart, ms. @default 2500 (env SOAK_REDIS_DOWN_MS) */
  redisDownMs: number;
  /** Every task must be final this long after the last fault, seconds. @default 120 (env SOAK_BOUND_S) */
  boundSeconds: number;
  /** Tasks one worker process runs at once. @default 50 (env SOAK_WORKER_CONCURRENCY) */
  workerConcurrency: number;
  /** Seed of every random choice. @default the time (env SOAK_SEED) */
  seed: number;
  /** Keep the run's folder (process logs, Redis AOF) and database even when it passes. (env SOAK_KEEP=1) */
  keep: boolean;
  quick: boolean;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function soakSettings(env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const quick = env.SOAK_QUICK === '1';
  return {
    quick,
    tasks: Math.round(num(env, 'SOAK_TASKS', quick ? 60 : 1000, 10, 100_000)),
    users: Math.round(num(env, 'SOAK_USERS', quick ? 8 : 50, 1, 10_000)),
    pipelineShare: 0.1,
    ratePerSecond: num(env, 'SOAK_RATE', quick ? 6 : 12, 0.1, 1000),
    subscribeShare: num(env, 'SOAK_SUBSCRIBE_SHARE', 0.4, 0, 1),
    cancelShare: num(env, 'SOAK_CANCEL_SHARE', 0.1, 0, 1),
    faultRate: num(env, 'SOAK_FAULT_RATE', 0.12, 0, 1),
    killAt: 0.35,
    redisRestartAt: 0.65,
    redisDownMs: num(env, 'SOAK_REDIS_DOWN_MS', 2500, 0, 60_000),
    boundSeconds: num(env, 'SOAK_BOUND_S', 120, 1, 3600),
    workerConcurrency: Math.round(num(env, 'SOAK_WORKER_CONCURRENCY', 50, 1, 256)),
    seed: Math.round(num(env, 'SOAK_SEED', Date.now() % 1_000_000_007, 0, 2 ** 31)),
    keep: env.SOAK_KEEP === '1',
  };
}

/** The offline engine's seeded generator (mulberry32), so a seed means the same run. */
export { createRandom as seededRandom } from '../../server/offline/seed.ts';

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
