// runPipeline: creates a task for `from` and every later stage at once (QUEUED, charged in
// one transaction), enqueues those whose dependencies are met, and lets the pipeline
// (pipeline.ts) enqueue the rest as their dependencies complete. IMAGE_GENERATION,
// CAMERA_MOVEMENT and NARRATION thus run in parallel after STORYBOARD, and FILM waits for
// VIDEO_GENERATION and NARRATION.
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { Task, type TaskRow, type UserRow } from '../db/entities.ts';
import { ConflictError, PreconditionError } from '../errors.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { StageName } from '../stages/names.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { Lifecycle } from './lifecycle.ts';
import { activeKeyOf, newTaskRow, type CachePolicy } from './new-task.ts';
import type { TaskStore } from './task-store.ts';

export type RunPipeline = (user: UserRow, projectId: string, from: StageName, cache?: CachePolicy) => Promise<TaskRow[]>;

export function createRunPipeline(deps: {
  orm: MikroORM;
  registry: StageRegistry;
  projects: ProjectService;
  tasks: TaskStore;
  maxAttempts: number;
  assertRedisUp: () => Promise<void>;
  lifecycle: Lifecycle;
}): RunPipeline {
  const { orm, registry } = deps;

  return async (user, projectId, from, cache = 'REUSE') => {
    const project = await deps.projects.get(user.id, projectId);
    const start = registry.get(from)!;
    const stages = [...registry.values()].filter((s) => s.order >= start.order);
    const inRun = new Set(stages.map((s) => s.name));

    const active = await orm.em.fork().find(Task, { activeKey: { $in: stages.map((s) => activeKeyOf(project.id, s.name)) } });
    if (active.length) {
      throw new ConflictError(`${active.map((t) => t.stage).join(', ')} ${active.length > 1 ? 'are' : 'is'} already running for this project; wait for ${active.length > 1 ? 'them' : 'it'} or cancel first.`);
    }
    // Dependencies outside the run must already have outputs; those inside will.
    const upstream = stages.flatMap((s) => s.dependsOn).filter((d) => !inRun.has(d));
    const outputs = await deps.tasks.outputsOf(project.id, upstream);
    for (const stage of stages) {
      const external = stage.dependsOn.filter((d) => !inRun.has(d));
      if (stage.dependsOn.length > 0 && external.length === 0) continue;
      const missing = stage.missing(stage.parseInput({}), project, outputs);
      if (missing) throw new PreconditionError(missing);
    }
    await deps.assertRedisUp();

    const pipelineId = randomUUID();
    const rows = stages.map((stage) =>
      newTaskRow({
        projectId: project.id,
        ownerId: user.id,
        stage,
        input: stage.parseInput({}),
        maxAttempts: deps.maxAttempts,
        pipelineId,
        waitingOn: stage.dependsOn.filter((d) => inRun.has(d)),
        cachePolicy: cache,
      }),
    );
    try {
      await deps.lifecycle.create(user.id, rows);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new ConflictError('A stage of this pipeline was started at the same moment; try again.');
      throw err;
    }
    return rows;
  };
}
