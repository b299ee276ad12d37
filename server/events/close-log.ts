// Ends a finished task's log: the final events that match the database row, then the
// archive. The lifecycle calls it after every way a task ends, and the sweep repeats it for
// a process that died between the database commit and the Redis append.
import type { MikroORM } from '@mikro-orm/core';
import type { TaskRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput, TaskErrorInfo } from '../stages/outputs.ts';
import { archiveTaskLog } from './archive.ts';
import { LeaseLostError, type EventLog, type Producer, type TaskRef } from './event-log.ts';
import { AUTHORITY, type Lease } from './lease.ts';
import type { EventBody } from './types.ts';

export const refOf = (row: Pick<TaskRow, 'id' | 'projectId' | 'stage'>): TaskRef => ({
  taskId: row.id,
  projectId: row.projectId,
  stage: row.stage as StageName,
});

export function finalEvents(row: TaskRow): EventBody[] {
  switch (row.status) {
    case 'COMPLETED':
      return [
        { type: 'status', status: 'COMPLETED', message: null },
        { type: 'completed', output: parseJson<StageOutput>(row.output)!, cached: row.cached },
      ];
    case 'FAILED':
      return [
        { type: 'status', status: 'FAILED', message: row.message },
        { type: 'failed', error: parseJson<TaskErrorInfo>(row.error)!, willRetry: false, retryInMs: null },
      ];
    case 'CANCELLED':
      return [{ type: 'status', status: 'CANCELLED', message: row.message }];
    default:
      throw new Error(`task ${row.id} is ${row.status}, not finished`);
  }
}

export interface CloseLogDeps {
  orm: MikroORM;
  eventLog: EventLog;
  logTtlSeconds: number;
}

export async function closeLog(deps: CloseLogDeps, row: TaskRow, lease: Lease, by?: Producer): Promise<void> {
  if (row.archivedAt) return;
  const ref = refOf(row);
  try {
    await deps.eventLog.append(ref, lease, finalEvents(row), by);
  } catch (err) {
    if (!(err instanceof LeaseLostError)) throw err;
    if (err.reason === 'missing') {
      // Ended before its log was ever written (cancelled while the enqueue was pending).
      await deps.eventLog.init(ref);
      await deps.eventLog.append(ref, AUTHORITY, finalEvents(row));
    } else if (err.reason === 'lease') {
      throw err;
    } // 'ended': a previous run already wrote the final events.
  }
  await archiveTaskLog({ orm: deps.orm, eventLog: deps.eventLog, ttlSeconds: deps.logTtlSeconds }, row.id);
}
