// The sweep repairs what a process death can leave half done: a committed task that was
// never enqueued, and a finished task whose log never got its final events or archive.
// It runs at start-up and then periodically; every step it takes is idempotent.
import type { MikroORM } from '@mikro-orm/core';
import { Task } from '../db/entities.ts';
import { closeLog, type CloseLogDeps } from './close-log.ts';
import type { createDispatch } from './dispatch.ts';
import type { Pipeline } from './pipeline.ts';

/** Younger tasks are still in their creator's hands. */
const GRACE_MS = 10_000;

export function createSweep(deps: CloseLogDeps & { orm: MikroORM; dispatch: ReturnType<typeof createDispatch>; pipeline: Pipeline; log: (msg: string, err?: unknown) => void }) {
  return async function sweep(): Promise<{ enqueued: number; closed: number }> {
    const em = deps.orm.em.fork();
    const before = new Date(Date.now() - GRACE_MS);
    let enqueued = 0;
    let closed = 0;
    for (const task of await em.find(Task, { status: 'QUEUED', createdAt: { $lt: before } }, { limit: 500 })) {
      // A pipeline's task waiting for its dependencies gets its log, not yet a job.
      const ready = await deps.pipeline.isReady(task);
      await deps.dispatch(task, { enqueue: ready });
      if (ready) enqueued += 1;
    }
    const unarchived = await em.find(
      Task,
      { status: { $in: ['COMPLETED', 'FAILED', 'CANCELLED'] }, archivedAt: null, finishedAt: { $lt: before } },
      { limit: 500 },
    );
    for (const task of unarchived) {
      try {
        await closeLog(deps, task, '*');
        await deps.pipeline.advance(task);
        closed += 1;
      } catch (err) {
        deps.log(`sweep: cannot close the log of task ${task.id}`, err);
      }
    }
    return { enqueued, closed };
  };
}
