// cancelTask: the lifecycle ends the task CANCELLED (a conditional update that refunds in the
// same transaction), writes its final event, and tells every worker, so the one running it
// aborts the provider call.
import type { TaskRow, UserRow } from '../db/entities.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { BY_AUTHORITY, type Lifecycle } from './lifecycle.ts';
import type { TaskStore } from './task-store.ts';

export type CancelTask = (user: Pick<UserRow, 'id'>, taskId: string, message?: string) => Promise<TaskRow>;

export function createCancelTask(deps: { tasks: TaskStore; lifecycle: Lifecycle }): CancelTask {
  return async (user, taskId, message = 'Cancelled by the user.') => {
    const task = await deps.tasks.findOwned(user.id, taskId);
    if (!task) throw new NotFoundError('Task', taskId);
    const ended = await deps.lifecycle.finish(task, { status: 'CANCELLED', message }, BY_AUTHORITY);
    if (!ended) {
      throw new ConflictError(`Task ${taskId} has already ended; only a QUEUED, RUNNING or RETRYING task can be cancelled.`);
    }
    return ended;
  };
}
