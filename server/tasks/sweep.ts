// The sweep repairs what a process death can leave half done: a committed task that was
// never dispatched, and a finished task whose log never got its final events or archive.
// It runs at start-up and then periodically; every step it takes is idempotent.
import type { MikroORM } from '@mikro-orm/core';
import { Task } from '../db/entities.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Pipeline } from './pipeline.ts';

/** Younger tasks are still in their creator's hands. */
const GRACE_MS = 10_000;

export type Sweep = () => Promise<{ enqueued: number; closed: number }>;

export function createSweep(deps: { orm: MikroORM; lifecycle: Lifecycle; pipeline: Pipeline; log: (msg: string, err?: unknown) => void }): Sweep {
  return async () => {
    const em = deps.orm.em.fork();
    const before = new Date(Date.now() - GRACE_MS);
    let enqueued = 0;
    let closed = 0;
    for (const task of await em.find(Task, { status: 'QUEUED', createdAt: { $lt: before } }, { limit: 500 })) {
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
    return { enqueued, closed };
  };
}
