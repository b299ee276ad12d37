// A task's lifecycle in the database. Every transition is one conditional UPDATE (the
// row must still be active, and for a worker still at its attempt), so of two racing
// writers (a worker finishing, a user cancelling, a stale worker) exactly one wins.
// Ending FAILED or CANCELLED refunds the charge in the same transaction.
import { randomUUID } from 'node:crypto';
import { raw, type EntityManager, type MikroORM } from '@mikro-orm/core';
import { CreditEntry, Task, User, type TaskRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import { ACTIVE_STATUSES, type StageName, type TaskStatus } from '../stages/names.ts';
import type { TaskErrorInfo } from '../stages/outputs.ts';
import type { DependencyOutputs, StageResult } from '../stages/stage.ts';
import { addVersion, createVersionStore, outputOf, type MadeFrom } from './version-store.ts';

/** What a completed attempt hands in: the stage's result, who made it, and what it was made from. */
export type Completion = StageResult & {
  provider: string;
  model: string;
  /** Reused from an earlier version with the same effective input: nothing is charged. */
  cached?: boolean;
  /** The effective-input key (cache.ts); null for a refine. */
  cacheKey?: string | null;
  /** The upstream versions it read. */
  madeFrom?: MadeFrom;
};

export interface TaskStore {
  find(id: string): Promise<TaskRow | null>;
  /** The task when it is this user's; another user's task answers exactly as a missing one. */
  findOwned(ownerId: string, id: string): Promise<TaskRow | null>;
  newest(projectId: string, stage: StageName): Promise<TaskRow | null>;
  /** How many tasks of this user are queued, running or waiting to retry. */
  activeCountOf(ownerId: string): Promise<number>;
  /** The current version's output of each of these stages that has one: what a stage reads. */
  outputsOf(projectId: string, stages: readonly StageName[]): Promise<DependencyOutputs>;
  list(projectId: string, stage?: StageName): Promise<TaskRow[]>;
  /** Every task of these projects, newest first (one query, for batching). */
  ofProjects(projectIds: readonly string[]): Promise<TaskRow[]>;
  markRunning(taskId: string, attempt: number): Promise<boolean>;
  markRetrying(taskId: string, attempt: number, error: TaskErrorInfo): Promise<boolean>;
  /**
   * Completes the task and, in the same transaction, adds its output as the stage's current
   * version and refunds what it did not use: all of it when cached, the scenes it reused
   * when it is a media stage (it is charged creditCost × generated ÷ all, rounded up).
   */
  complete(taskId: string, attempt: number, result: Completion, startedAt: Date): Promise<boolean>;
  /**
   * attempt null: whoever runs it (the API, the sweep). Refunds `refundShare` (0 to 1) of
   * the charge, rounded down, in the same transaction.
   */
  end(
    taskId: string,
    status: 'FAILED' | 'CANCELLED',
    attempt: number | null,
    details: { error?: TaskErrorInfo; message?: string; refundShare: number },
  ): Promise<boolean>;
}

export async function refund(em: EntityManager, task: Pick<TaskRow, 'id' | 'ownerId'>, amount: number, reason = 'refund'): Promise<void> {
  if (amount <= 0) return;
  await em.insert(CreditEntry, {
    id: randomUUID(),
    userId: task.ownerId,
    taskId: task.id,
    delta: amount,
    reason,
    createdAt: new Date(),
  });
  await em.nativeUpdate(User, { id: task.ownerId }, { credits: raw('credits + ?', [amount]) });
}

/** What a completed task is charged: nothing when cached; a media stage, the share of scenes it generated. */
export function chargeOf(charged: number, result: Pick<Completion, 'cached' | 'scenes'>): number {
  if (result.cached) return 0;
  if (!result.scenes || result.scenes.total === 0) return charged;
  return Math.min(charged, Math.ceil((charged * result.scenes.generated) / result.scenes.total));
}

export function createTaskStore(deps: { orm: MikroORM }): TaskStore {
  const em = () => deps.orm.em.fork();
  const versions = createVersionStore(deps);
  const active = { $in: [...ACTIVE_STATUSES] as string[] };

  return {
    find: (id) => em().findOne(Task, { id }),

    findOwned: (ownerId, id) => em().findOne(Task, { id, ownerId }),

    activeCountOf: (ownerId) => em().count(Task, { ownerId, status: active }),
    newest: (projectId, stage) => em().findOne(Task, { projectId, stage }, { orderBy: { createdAt: 'desc', id: 'desc' } }),

    async outputsOf(projectId, stages) {
      const outputs: DependencyOutputs = {};
      for (const [stage, version] of Object.entries(await versions.current(projectId, stages))) outputs[stage as StageName] = outputOf(version);
      return outputs;
    },

    ofProjects: (projectIds) =>
      projectIds.length
        ? em().find(Task, { projectId: { $in: [...projectIds] } }, { orderBy: { createdAt: 'desc', id: 'desc' } })
        : Promise.resolve([]),

    list: (projectId, stage) =>
      em().find(Task, stage ? { projectId, stage } : { projectId }, { orderBy: { createdAt: 'desc', id: 'desc' } }),

    async markRunning(taskId, attempt) {
      const n = await em().nativeUpdate(
        Task,
        { id: taskId, status: active, attempt: { $lte: attempt } },
        { status: 'RUNNING' satisfies TaskStatus, attempt, progress: 0, error: null },
      );
      if (n > 0) await em().nativeUpdate(Task, { id: taskId, startedAt: null }, { startedAt: new Date() });
      return n > 0;
    },

    async markRetrying(taskId, attempt, error) {
      const n = await em().nativeUpdate(
        Task,
        { id: taskId, status: 'RUNNING', attempt },
        { status: 'RETRYING' satisfies TaskStatus, error: JSON.stringify(error) },
      );
      return n > 0;
    },

    async complete(taskId, attempt, result, startedAt) {
      return em().transactional(async (tx) => {
        const where = { id: taskId, status: 'RUNNING', attempt };
        const task = await tx.findOne(Task, where, { fields: ['id', 'ownerId', 'projectId', 'stage', 'creditsCharged', 'refine'] });
        if (!task) return false;
        const now = new Date();
        const charge = chargeOf(task.creditsCharged, result);
        const n = await tx.nativeUpdate(Task, where, {
          status: 'COMPLETED' satisfies TaskStatus,
          activeKey: null,
          progress: 100,
          output: JSON.stringify(result.output),
          text: result.text ?? null,
          error: null,
          tokensUsed: result.tokensUsed ?? null,
          tokensPerSecond: result.tokensPerSecond ?? null,
          provider: result.provider,
          model: result.model,
          finishedAt: now,
          processingTimeMs: now.getTime() - startedAt.getTime(),
          creditsCharged: charge,
          cached: result.cached ?? false,
        });
        if (n === 0) return false;
        await refund(tx, task, task.creditsCharged - charge, result.cached ? 'cached' : 'reused');
        const refine = parseJson<{ instructions: string; baseVersionId: string | null }>(task.refine);
        await addVersion(tx, {
          projectId: task.projectId,
          ownerId: task.ownerId,
          stage: task.stage as StageName,
          source: refine ? 'REFINE' : 'RUN',
          instructions: refine?.instructions ?? null,
          taskId,
          parentId: refine?.baseVersionId ?? null,
          output: result.output,
          madeFrom: result.madeFrom ?? {},
          cacheKey: result.cacheKey ?? null,
        });
        return true;
      });
    },

    async end(taskId, status, attempt, details) {
      return em().transactional(async (tx) => {
        const where = attempt === null ? { id: taskId, status: active } : { id: taskId, status: active, attempt };
        const task = await tx.findOne(Task, where, { fields: ['id', 'ownerId', 'creditsCharged', 'startedAt'] });
        if (!task) return false;
        const now = new Date();
        const n = await tx.nativeUpdate(Task, where, {
          status,
          activeKey: null,
          message: details.message ?? null,
          error: details.error ? JSON.stringify(details.error) : null,
          finishedAt: now,
          processingTimeMs: task.startedAt ? now.getTime() - task.startedAt.getTime() : null,
        });
        if (n === 0) return false;
        await refund(tx, task, Math.floor(task.creditsCharged * Math.max(0, Math.min(1, details.refundShare))));
        return true;
      });
    },
  };
}
