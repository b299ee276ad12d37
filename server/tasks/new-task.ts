// The pieces of creating tasks that executeStage and runPipeline share: the row of a new
// QUEUED task, and the credit charge that goes with it in the same transaction.
import { randomUUID } from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/core';
import { CreditEntry, User, type TaskRow } from '../db/entities.ts';
import { InsufficientCreditsError } from '../errors.ts';
import type { StageDefinition } from '../stages/stage.ts';

/** REUSE: an unchanged effective input completes from the earlier output; FRESH: always runs. */
export type CachePolicy = 'REUSE' | 'FRESH';

export function activeKeyOf(projectId: string, stage: string): string {
  return `${projectId}:${stage}`;
}

export function newTaskRow(fields: {
  projectId: string;
  ownerId: string;
  stage: StageDefinition<unknown>;
  input: unknown;
  maxAttempts: number;
  pipelineId?: string;
  waitingOn?: string[];
  /** @default 'REUSE' */
  cachePolicy?: CachePolicy;
  /** A refineStage task's spec (JSON), see refine-spec.ts. */
  refine?: string | null;
}): TaskRow {
  return {
    id: randomUUID(),
    projectId: fields.projectId,
    ownerId: fields.ownerId,
    stage: fields.stage.name,
    status: 'QUEUED',
    activeKey: activeKeyOf(fields.projectId, fields.stage.name),
    input: JSON.stringify(fields.input),
    attempt: 1,
    maxAttempts: fields.maxAttempts,
    progress: 0,
    message: null,
    text: null,
    output: null,
    error: null,
    tokensUsed: null,
    tokensPerSecond: null,
    creditsCharged: fields.stage.creditCost,
    lastSeq: 1,
    provider: null,
    model: null,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    processingTimeMs: null,
    archivedAt: null,
    pipelineId: fields.pipelineId ?? null,
    waitingOn: fields.waitingOn?.length ? JSON.stringify(fields.waitingOn) : null,
    cachePolicy: fields.cachePolicy ?? 'REUSE',
    cached: false,
    refine: fields.refine ?? null,
  };
}

/** Takes `cost` credits for these tasks, or INSUFFICIENT_CREDITS. Inside the creating transaction. */
export async function charge(em: EntityManager, userId: string, tasks: Array<Pick<TaskRow, 'id' | 'creditsCharged'>>): Promise<void> {
  const cost = tasks.reduce((sum, t) => sum + t.creditsCharged, 0);
  if (cost <= 0) return;
  const charged = await em.nativeUpdate(User, { id: userId, credits: { $gte: cost } }, { credits: raw('credits - ?', [cost]) });
  if (charged === 0) {
    const balance = (await em.findOne(User, { id: userId }, { fields: ['credits'] }))?.credits ?? 0;
    throw new InsufficientCreditsError(cost, balance);
  }
  const now = new Date();
  for (const task of tasks) {
    if (task.creditsCharged > 0) {
      await em.insert(CreditEntry, { id: randomUUID(), userId, taskId: task.id, delta: -task.creditsCharged, reason: 'charge', createdAt: now });
    }
  }
}
