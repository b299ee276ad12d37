// Idempotency keys of the mutations that create tasks (executeStage, refineStage): the same
// key from the same user answers with the same task for 24 hours; the same key with another
// request is a CONFLICT.
import type { MikroORM } from '@mikro-orm/core';
import { IdempotencyKey, type TaskRow } from '../db/entities.ts';
import { ConflictError } from '../errors.ts';
import { hashOf } from '../stages/content-hash.ts';
import type { TaskStore } from './task-store.ts';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** SHA-256 of the request (project, stage, options), whatever the order of its keys. */
export const requestHashOf = (request: Record<string, unknown>): string => hashOf(request);

export async function findByIdempotencyKey(orm: MikroORM, tasks: TaskStore, userId: string, key: string, requestHash: string): Promise<TaskRow | null> {
  const em = orm.em.fork();
  const row = await em.findOne(IdempotencyKey, { userId, key });
  if (!row) return null;
  if (Date.now() - row.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await em.nativeDelete(IdempotencyKey, { userId, key, createdAt: row.createdAt });
    return null;
  }
  if (row.requestHash !== requestHash) {
    throw new ConflictError('This idempotencyKey was already used for a different project, stage or input.');
  }
  return tasks.find(row.taskId);
}
