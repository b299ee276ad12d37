// The sweep repairs what a process death or a Redis restart can leave half done: a committed
// task that was never dispatched; a finished task whose log never got its final events or
// archive; and a task the database says is running that nothing runs any more (its log was
// lost, or its job is gone while its log stays quiet). It runs at start-up, periodically, and
// when Redis comes back; every step it takes is idempotent.
import type { MikroORM } from '@mikro-orm/core';
import { Task, type TaskRow } from '../db/entities.ts';
import type { EventLog } from '../events/event-log.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import { BY_AUTHORITY, type Lifecycle } from './lifecycle.ts';
import type { Pipeline } from './pipeline.ts';

/** Younger tasks are still in their creator's hands. */
const GRACE_MS = 10_000;

/** Job states in which no worker holds the task. */
const NOT_HELD = new Set(['unknown', 'completed', 'failed']);

export type Sweep = () => Promise<{ enqueued: number; closed: number; recovered: number }>;

export function createSweep(deps: {
  orm: MikroORM;
  eventLog: EventLog;
  queue: TaskQueue;
  lifecycle: Lifecycle;
  pipeline: Pipeline;
  /** A task whose job is gone is taken for abandoned once its log has been quiet this long (a dead worker's lock lapses by then). */
  abandonedAfterMs: number;
  log: (msg: string, err?: unknown) => void;
}): Sweep {
  /** A running task nothing runs: lost log → FAILED (refunded); job gone → a new attempt, or FAILED when none is left. */
  async function recover(task: TaskRow): Promise<boolean> {
    const meta = await deps.eventLog.meta(task.id);
    if (!meta) {
      const error = { code: 'LOG_LOST', message: "The task's live log was lost (Redis restarted without its data); run the stage again.", retryable: true };
      return (await deps.lifecycle.finish(task, { status: 'FAILED', error }, BY_AUTHORITY)) !== null;
    }
    if (meta.final || Date.now() - meta.touched < deps.abandonedAfterMs) return false;
    if (!NOT_HELD.has(await deps.queue.state(task.id))) return false; // BullMQ hands a stalled job on by itself
    if (task.attempt >= task.maxAttempts) {
      const error = { code: 'WORKER_LOST', message: 'The workers running this task stopped answering, and it has no attempts left.', retryable: true };
      return (await deps.lifecycle.finish(task, { status: 'FAILED', error }, BY_AUTHORITY)) !== null;
    }
    deps.log(`sweep: task ${task.id} has no worker and a quiet log; enqueueing a new attempt`);
    await deps.queue.remove(task.id); // a finished job of the same id would make the add a no-op
    await deps.lifecycle.dispatch(task);
    return true;
  }

  return async () => {
    const em = deps.orm.em.fork();
    const before = new Date(Date.now() - GRACE_MS);
    let enqueued = 0;
    let closed = 0;
    let recovered = 0;
    for (const task of await em.find(Task, { status: 'QUEUED', createdAt: { $lt: before } }, { limit: 500 })) {
      // A pipeline's task whose dependency failed or was cancelled can never run: a cascade cut
      // short (an outage, a process death) leaves it here. End it as the cascade would have.
      const blocker = await deps.pipeline.blockerOf(task);
      if (blocker) {
        const verb = blocker.status === 'FAILED' ? 'failed' : 'was cancelled';
        await deps.lifecycle.finish(task, { status: 'CANCELLED', message: `Cancelled because ${blocker.stage} ${verb}.` }, BY_AUTHORITY);
        closed += 1;
        continue;
      }
      // A pipeline's task waiting for its dependencies gets its log, not yet a job.
      const ready = await deps.pipeline.isReady(task);
      await deps.lifecycle.dispatch(task, { enqueue: ready });
      if (ready) enqueued += 1;
    }
    const unsettled = await em.find(
      Task,
      { status: { $in: ['COMPLETED', 'FAILED', 'CANCELLED'] }, archivedAt: null, finishedAt: { $lt: before } },
      { limit: 500 },
    );
    for (const task of unsettled) {
      try {
        await deps.lifecycle.settle(task);
        closed += 1;
      } catch (err) {
        deps.log(`sweep: cannot settle task ${task.id}`, err);
      }
    }
    for (const task of await em.find(Task, { status: { $in: ['RUNNING', 'RETRYING'] }, createdAt: { $lt: before } }, { limit: 500 })) {
      try {
        if (await recover(task)) recovered += 1;
      } catch (err) {
        deps.log(`sweep: cannot recover task ${task.id}`, err);
      }
    }
    return { enqueued, closed, recovered };
  };
}
