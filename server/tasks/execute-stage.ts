// executeStage: validate, then in one transaction charge the credits, create the task and
// record the idempotency key; only after the commit write the log's first event and enqueue
// the job (jobId = task id, so adding twice is a no-op): the lifecycle's `create`. If the
// process dies in between, the sweep finishes the job. So: never a charge without a task, never a task without a job,
// never two jobs. Unique indexes (one active task per project and stage, one task per
// idempotency key) make concurrent duplicates collide; the losers return the winner's task.
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { IdempotencyKey, Task, type TaskRow, type UserRow } from '../db/entities.ts';
import { BadInputError, ConflictError, PreconditionError } from '../errors.ts';
import type { StageName } from '../stages/names.ts';
import { stageOf, type StageRegistry } from '../stages/registry.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { Lifecycle } from './lifecycle.ts';
import { findByIdempotencyKey, requestHashOf } from './idempotency.ts';
import { activeKeyOf, newTaskRow, type CachePolicy } from './new-task.ts';
import type { TaskStore } from './task-store.ts';

export interface ExecuteStageInput {
  projectId: string;
  stage: StageName;
  input?: unknown;
  idempotencyKey?: string | null;
  /** @default 'REUSE' */
  cache?: CachePolicy | null;
}

export interface ExecuteStageDeps {
  orm: MikroORM;
  registry: StageRegistry;
  projects: ProjectService;
  tasks: TaskStore;
  maxAttempts: number;
  /** Fails with SERVICE_UNAVAILABLE when Redis is down, before anything is written. */
  assertRedisUp: () => Promise<void>;
  lifecycle: Lifecycle;
}

export function createExecuteStage(deps: ExecuteStageDeps) {
  const { orm, registry, projects, tasks } = deps;

  const byIdempotencyKey = (userId: string, key: string, requestHash: string) => findByIdempotencyKey(orm, tasks, userId, key, requestHash);

  const activeTask = (projectId: string, stage: string) =>
    orm.em.fork().findOne(Task, { activeKey: activeKeyOf(projectId, stage) });

  return async function executeStage(user: UserRow, request: ExecuteStageInput): Promise<TaskRow> {
    const stage = stageOf(registry, request.stage);
    const input = stage.parseInput(request.input);
    const key = request.idempotencyKey ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw new BadInputError('input.idempotencyKey', 'must be 1 to 200 characters');
    }
    const project = await projects.get(user.id, request.projectId);
    const requestHash = requestHashOf({ projectId: project.id, stage: stage.name, input: request.input ?? null, ...(request.cache === 'FRESH' ? { cache: 'FRESH' } : {}) });

    if (key) {
      const existing = await byIdempotencyKey(user.id, key, requestHash);
      if (existing) return existing;
    }
    const running = await activeTask(project.id, stage.name);
    if (running) return running;

    const outputs = await tasks.outputsOf(project.id, stage.dependsOn);
    const missing = stage.missing(input, project, outputs);
    if (missing) throw new PreconditionError(missing);

    await deps.assertRedisUp();

    const task = newTaskRow({ projectId: project.id, ownerId: user.id, stage, input, maxAttempts: deps.maxAttempts, cachePolicy: request.cache ?? 'REUSE' });
    try {
      await deps.lifecycle.create(user.id, [task], async (em) => {
        if (key) await em.insert(IdempotencyKey, { userId: user.id, key, taskId: task.id, requestHash, createdAt: task.createdAt });
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      // Lost a race with an identical request: answer with the task that won.
      const winner = (key && (await byIdempotencyKey(user.id, key, requestHash))) || (await activeTask(project.id, stage.name));
      if (winner) return winner;
      throw new ConflictError(`Another ${stage.name} task of this project was being created at the same moment; try again.`);
    }
    return task;
  };
}

export type ExecuteStage = ReturnType<typeof createExecuteStage>;
