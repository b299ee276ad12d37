// A running task's speed and estimate as of its last progress event, beside its log (same
// hash tag): Task.tokensPerSecond and Task.etaSeconds read it on demand, the ETA counted
// down by the time since it was written. Written once per progress event, never per token.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.ts';

export interface TaskRate {
  tokensPerSecond: number | null;
  /** Seconds left when it was written. */
  etaSeconds: number | null;
  /** The task's progress (0..100) when it was written; absent in figures written before it was kept. */
  progress?: number;
  /** When it was written (epoch ms). */
  at: number;
}

export interface TaskRates {
  set(taskId: string, rate: TaskRate): Promise<void>;
  get(taskId: string): Promise<TaskRate | null>;
}

/** A task runs at most its time limit; the figures outlive it a little for late readers. */
const TTL_SECONDS = 3_600;

export function createTaskRates(deps: { redis: Redis; keys: RedisKeys }): TaskRates {
  return {
    async set(taskId, rate) {
      await deps.redis.set(deps.keys.taskRate(taskId), JSON.stringify(rate), 'EX', TTL_SECONDS);
    },
    async get(taskId) {
      const raw = await deps.redis.get(deps.keys.taskRate(taskId));
      return raw ? (JSON.parse(raw) as TaskRate) : null;
    },
  };
}

/** The estimate now: the stored ETA less the time since it was written (never below 0). */
export function etaNow(rate: TaskRate, now = Date.now()): number | null {
  if (rate.etaSeconds === null) return null;
  return Math.max(0, Math.round((rate.etaSeconds - (now - rate.at) / 1000) * 10) / 10);
}
