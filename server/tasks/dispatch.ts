// After a task is committed: its log's first event, then its job. Both steps are
// idempotent, so the sweep may repeat them for a task whose creator died in between.
import type { TaskRow } from '../db/entities.ts';
import type { EventLog } from '../events/event-log.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import { refOf } from './close-log.ts';

export function createDispatch(deps: { eventLog: EventLog; queue: TaskQueue }) {
  return async (task: TaskRow, opts: { enqueue?: boolean } = {}): Promise<void> => {
    await deps.eventLog.init(refOf(task));
    if (opts.enqueue !== false) await deps.queue.add(task.id);
  };
}
