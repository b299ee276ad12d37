// refineStage: a task that revises a text stage's current output with the user's
// instructions (and the earlier instructions of the same chain). Charged and dispatched
// like executeStage. With `interrupt`, an active task of the stage ends CANCELLED
// ("superseded") and the refine revises the text it had written so far.
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { IdempotencyKey, Task, User, type TaskRow, type UserRow } from '../db/entities.ts';
import { BadInputError, ConflictError, InsufficientCreditsError, longerThan, PreconditionError } from '../errors.ts';
import type { EventLog } from '../events/event-log.ts';
import type { ProjectService } from '../projects/project-service.ts';
import { stageOf, type StageRegistry } from '../stages/registry.ts';
import { parseJsonAnswer } from '../stages/structured-output.ts';
import { TEXT_OUTPUTS, isTextStage } from '../stages/text-outputs.ts';
import { findByIdempotencyKey, requestHashOf } from './idempotency.ts';
import { BY_AUTHORITY, type Lifecycle } from './lifecycle.ts';
import { activeKeyOf, newTaskRow } from './new-task.ts';
import { refineSpecOf, type RefineSpec } from './refine-spec.ts';
import type { TaskStore } from './task-store.ts';
import type { VersionStore } from './version-store.ts';

export interface RefineStageInput {
  projectId: string;
  stage: string;
  instructions: string;
  interrupt?: boolean | null;
  idempotencyKey?: string | null;
}

/** How long instructions may be (the contract's limit). */
const MAX_INSTRUCTIONS = 2_000;
const SUPERSEDED = 'Superseded by a refine.';

export type RefineStage = (user: UserRow, request: RefineStageInput) => Promise<TaskRow>;

export function createRefineStage(deps: {
  orm: MikroORM;
  registry: StageRegistry;
  projects: ProjectService;
  tasks: TaskStore;
  versions: VersionStore;
  eventLog: EventLog;
  maxAttempts: number;
  assertRedisUp: () => Promise<void>;
  lifecycle: Lifecycle;
}): RefineStage {
  const { orm } = deps;
  const activeTask = (projectId: string, stage: string) => orm.em.fork().findOne(Task, { activeKey: activeKeyOf(projectId, stage) });

  return async (user, request) => {
    const name = request.stage;
    if (!isTextStage(name)) throw new BadInputError('input.stage', 'must be a text stage: REWRITE, STORYBOARD or CAMERA_MOVEMENT');
    const stage = stageOf(deps.registry, name);
    const rules = TEXT_OUTPUTS[name];
    const instructions = (request.instructions ?? '').trim();
    if (instructions === '') throw new BadInputError('input.instructions', 'must not be empty');
    if (longerThan(instructions, MAX_INSTRUCTIONS)) throw new BadInputError('input.instructions', `must be at most ${MAX_INSTRUCTIONS.toLocaleString('en')} characters`);
    const key = request.idempotencyKey ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw new BadInputError('input.idempotencyKey', 'must be 1 to 200 characters');
    const project = await deps.projects.get(user.id, request.projectId);
    const requestHash = requestHashOf({ projectId: project.id, stage: stage.name, refine: instructions, interrupt: Boolean(request.interrupt) });
    if (key) {
      const existing = await findByIdempotencyKey(orm, deps.tasks, user.id, key, requestHash);
      if (existing) return existing;
    }

    const current = (await deps.versions.current(project.id, [stage.name]))[stage.name] ?? null;
    const running = await activeTask(project.id, stage.name);
    if (running && !request.interrupt) {
      throw new ConflictError(`A ${stage.name} task of this project is ${running.status.toLowerCase()}; wait for it, or refine with interrupt: true to supersede it.`);
    }
    if (!running && !current) throw new PreconditionError(`${stage.name} has no output to refine yet; run it first.`);
    const needs = rules.needs;
    if (needs.length && Object.keys(await deps.versions.current(project.id, needs)).length < needs.length) {
      throw new PreconditionError(`Refining ${stage.name} needs the output of ${needs.join(' and ')}.`);
    }
    // Checked before superseding anything: a refine that cannot be paid for changes nothing.
    const balance = (await orm.em.fork().findOne(User, { id: user.id }, { fields: ['credits'] }))?.credits ?? 0;
    if (balance < stage.creditCost) throw new InsufficientCreditsError(stage.creditCost, balance);
    await deps.assertRedisUp();

    const history = current ? await deps.versions.instructionsChain(current) : [];
    let baseText: string | null = null;
    if (running) {
      const partial = (await deps.eventLog.snapshot(running.id))?.text ?? '';
      // A structured stage's partial answer is revised only when it is already whole JSON;
      // otherwise the refine revises the current version.
      baseText = partial.trim() && (!rules.jsonSchema || isWholeJson(partial)) ? partial : null;
      if (baseText === null && !current) throw new PreconditionError(`${stage.name} has written nothing usable yet and has no earlier output to refine.`);
      const superseded = refineSpecOf(running);
      if (superseded) history.push(...superseded.history.filter((h) => !history.includes(h)), superseded.instructions);
      await deps.lifecycle.finish(running, { status: 'CANCELLED', message: SUPERSEDED }, BY_AUTHORITY);
    }
    const spec: RefineSpec = { instructions, history, baseVersionId: current?.id ?? null, baseText };
    const task = newTaskRow({ projectId: project.id, ownerId: user.id, stage, input: {}, maxAttempts: deps.maxAttempts, refine: JSON.stringify(spec) });
    try {
      await deps.lifecycle.create(user.id, [task], async (em) => {
        if (key) await em.insert(IdempotencyKey, { userId: user.id, key, taskId: task.id, requestHash, createdAt: task.createdAt });
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      const winner = (key && (await findByIdempotencyKey(orm, deps.tasks, user.id, key, requestHash))) || (await activeTask(project.id, stage.name));
      if (winner) return winner;
      throw new ConflictError(`Another ${stage.name} task of this project was being created at the same moment; try again.`);
    }
    return task;
  };
}

function isWholeJson(text: string): boolean {
  try {
    parseJsonAnswer(text);
    return true;
  } catch {
    return false;
  }
}
