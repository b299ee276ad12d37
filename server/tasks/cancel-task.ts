// cancelTask: the database decides (a conditional update, refunding in the same
// transaction), then the log gets its final CANCELLED event, then every worker hears it
// and the one running the task aborts the provider call.
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { TaskRow, UserRow } from '../db/entities.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import type { ControlMessage } from '../worker/task-worker.ts';
import { closeLog, type CloseLogDeps } from './close-log.ts';
import type { Pipeline } from './pipeline.ts';
import type { TaskStore } from './task-store.ts';

export function createCancelTask(deps: CloseLogDeps & { tasks: TaskStore; queue: TaskQueue; pipeline: Pipeline; pubsub: RedisPubSub; controlChannel: string }) {
  return async function cancelTask(user: Pick<UserRow, 'id'>, taskId: string, message = 'Cancelled by the user.'): Promise<TaskRow> {
    const task = await deps.tasks.find(taskId).catch(() => null);
    if (!task || task.ownerId !== user.id) throw new NotFoundError('Task', taskId);
    if (!(await deps.tasks.end(taskId, 'CANCELLED', null, { message }))) {
      throw new ConflictError(`Task ${taskId} has already ended; only a QUEUED, RUNNING or RETRYING task can be cancelled.`);
    }
    const ended = (await deps.tasks.find(taskId))!;
    await closeLog(deps, ended, '*');
    await deps.pubsub.publish(deps.controlChannel, { type: 'cancel', taskId } satisfies ControlMessage);
    await deps.queue.remove(taskId);
    await deps.pipeline.advance(ended);
    return ended;
  };
}
