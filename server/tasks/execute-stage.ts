// executeStage: validate, then in one transaction charge the credits, create the task and
// record the idempotency key; only after the commit write the log's first event and enqueue
// the job (jobId = task id, so adding twice is a no-op): the lifecycle's `create`. If the
// process dies in between, the sweep finishes the job. So: never a charge without a task, never a task without a job,
// never two jobs. Unique indexes (one active task per project and stage, one task per
// idempotency key) make concurrent duplicates collide; the losers return the winner's task.
import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { IdempotencyKey, Task, type TaskRow, type UserRow } from '../db/entities.ts';
import { BadInputError, ConflictError, PreconditionError } from '../errors.ts';
import type { StageName } from '../stages/names.ts';
import { stageOf, type StageRegistry } from '../stages/registry.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { Lifecycle } from './lifecycle.ts';
import { activeKeyOf, newTaskRow } from './new-task.ts';
import type { TaskStore } from './task-store.ts';

export interface ExecuteStageInput {
  projectId: string;
  stage: StageName;
  input?: unknown;
  idempotencyKey?: string | null;
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

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** JSON with sorted keys, so equal inputs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function createExecuteStage(deps: ExecuteStageDeps) {
  const { orm, registry, projects, tasks } = deps;

  async function byIdempotencyKey(userId: string, key: string, requestHash: string): Promise<TaskRow | null> {
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
    const requestHash = createHash('sha256')
      .update(canonical({ projectId: project.id, stage: stage.name, input: request.input ?? null }))
      .digest('hex');

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

    const task = newTaskRow({ projectId: project.id, ownerId: user.id, stage, input, maxAttempts: deps.maxAttempts });
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
