// Moves a runPipeline along its dependency graph. When one of its tasks ends: a task
// whose stages it waited for have all COMPLETED is enqueued; when one fails for good or is
// cancelled, every task downstream of it ends CANCELLED, naming the stage, with a refund.
// Every step is idempotent (enqueueing twice is a no-op), so racing workers are harmless.
import type { MikroORM } from '@mikro-orm/core';
import { Task, type TaskRow } from '../db/entities.ts';
import type { StageName } from '../stages/names.ts';
import { closeLog, type CloseLogDeps } from './close-log.ts';
import type { createDispatch } from './dispatch.ts';
import { parseJson, type TaskStore } from './task-store.ts';

export interface Pipeline {
  /** Call after a task of a pipeline ended (its final events written). */
  advance(ended: TaskRow): Promise<void>;
  /** Whether a QUEUED task may be enqueued: it waits for nothing, or what it waits for completed. */
  isReady(task: TaskRow): Promise<boolean>;
}

export const waitingOnOf = (task: Pick<TaskRow, 'waitingOn'>) => parseJson<StageName[]>(task.waitingOn) ?? [];

export function createPipeline(deps: CloseLogDeps & { orm: MikroORM; tasks: TaskStore; dispatch: ReturnType<typeof createDispatch> }): Pipeline {
  const siblings = (pipelineId: string) => deps.orm.em.fork().find(Task, { pipelineId });

  const readyAmong = (task: TaskRow, all: TaskRow[]) =>
    waitingOnOf(task).every((stage) => all.some((t) => t.stage === stage && t.status === 'COMPLETED'));

  return {
    async isReady(task) {
      if (!task.pipelineId || waitingOnOf(task).length === 0) return true;
      return readyAmong(task, await siblings(task.pipelineId));
    },

    async advance(ended) {
      if (!ended.pipelineId) return;
      const all = await siblings(ended.pipelineId);
      const waiting = all.filter((t) => t.status === 'QUEUED' && waitingOnOf(t).length > 0);
      if (ended.status === 'COMPLETED') {
        for (const task of waiting) if (readyAmong(task, all)) await deps.dispatch(task);
        return;
      }
      // Failed for good or cancelled: everything downstream can never run.
      const blocked = new Set<string>([ended.stage]);
      let grew = true;
      while (grew) {
        grew = false;
        for (const task of waiting) {
          if (!blocked.has(task.stage) && waitingOnOf(task).some((s) => blocked.has(s))) {
            blocked.add(task.stage);
            grew = true;
          }
        }
      }
      const verb = ended.status === 'FAILED' ? 'failed' : 'was cancelled';
      for (const task of waiting.filter((t) => blocked.has(t.stage) && t.stage !== ended.stage)) {
        const message = `Cancelled because ${ended.stage} ${verb}.`;
        if (await deps.tasks.end(task.id, 'CANCELLED', null, { message })) {
          await closeLog(deps, (await deps.tasks.find(task.id))!, '*');
        }
      }
    },
  };
}
