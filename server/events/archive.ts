// When a task ends its log is copied to the database, so replay and resume keep working
// after Redis lets the log expire. Archiving is idempotent: the start-up sweep may redo it.
import type { MikroORM } from '@mikro-orm/core';
import { Task, TaskEvent } from '../db/entities.ts';
import type { EventLog, LogArchive } from './event-log.ts';
import type { StageEventData } from './types.ts';

export function createLogArchive(deps: { orm: MikroORM }): LogArchive {
  return {
    async read(taskId, after, limit) {
      const rows = await deps.orm.em
        .fork()
        .find(TaskEvent, { taskId, seq: { $gt: after } }, { orderBy: { seq: 'asc' }, limit });
      return rows.map((r) => JSON.parse(r.payload) as StageEventData);
    },
    async endSeq(taskId) {
      const task = await deps.orm.em.fork().findOne(Task, { id: taskId }, { fields: ['archivedAt', 'lastSeq'] });
      return task?.archivedAt ? task.lastSeq : null;
    },
  };
}

const PAGE = 1000;

/** Copies a finished task's log from Redis into task_events, then lets Redis expire it. */
export async function archiveTaskLog(
  deps: { orm: MikroORM; eventLog: EventLog; ttlSeconds: number },
  taskId: string,
): Promise<number> {
  const em = deps.orm.em.fork();
  const already = await em.count(TaskEvent, { taskId });
  let after = already; // seq has no gaps, so the archived count is the archived cursor
  let copied = 0;
  for (;;) {
    const page = await deps.eventLog.read(taskId, after, PAGE);
    if (page.length === 0) break;
    await em.insertMany(
      TaskEvent,
      page.map((e) => ({ taskId, seq: e.seq, payload: JSON.stringify(e) })),
    );
    after = page[page.length - 1].seq;
    copied += page.length;
  }
  await em.nativeUpdate(Task, { id: taskId }, { archivedAt: new Date(), lastSeq: after });
  await deps.eventLog.expire(taskId, deps.ttlSeconds);
  return copied;
}
