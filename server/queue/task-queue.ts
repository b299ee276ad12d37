// The BullMQ queue of stage tasks. A job's id is its task's id: adding it twice is a no-op.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const QUEUE_NAME = 'stage-tasks';

/** What a job carries: the task to run; everything else is read from the database. */
export interface TaskJobData {
  taskId: string;
}
export const RETRY_BACKOFF = 'announced';

export interface TaskQueue {
  /**
   * Enqueues a task. `priority` 1 runs first; equal ones run in order. A user's nth active task
   * gets priority n, so one user's hundred tasks do not keep everyone else waiting behind them.
   */
  add(taskId: string, opts?: { priority?: number }): Promise<void>;
  /** Takes a waiting job out of the queue (cancel); an active one is left to its worker. */
  remove(taskId: string): Promise<void>;
  /** The state of a task's job: waiting, active, delayed, completed, failed, ... or 'unknown' when there is none. */
  state(taskId: string): Promise<string>;
  /** Jobs by state (waiting, active, delayed, completed, failed, ...). */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function createTaskQueue(deps: { connection: Redis; prefix: string; maxAttempts: number; retryBackoffMs: number }): TaskQueue {
  const queue = new Queue<TaskJobData>(QUEUE_NAME, { connection: deps.connection, prefix: deps.prefix });
  return {
    async add(taskId, opts = {}) {
      await queue.add(
        'run',
        { taskId },
        {
          jobId: taskId,
          // BullMQ's range is 1 (first) to 2^21.
          priority: Math.min(Math.max(1, Math.round(opts.priority ?? 1)), 2 ** 21),
          attempts: deps.maxAttempts,
          // The worker's backoff strategy (task-worker.ts) waits what the failed attempt announced.
          backoff: { type: RETRY_BACKOFF, delay: deps.retryBackoffMs },
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    },
    async remove(taskId) {
      // BullMQ refuses to remove a locked (running) job: its worker hears the cancel instead.
      await queue.remove(taskId).catch(() => 0);
    },
    state: (taskId) => queue.getJobState(taskId),
    counts: () => queue.getJobCounts(),
    close: () => queue.close(),
  };
}
