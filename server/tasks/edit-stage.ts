// Changing a stage's current version by hand: updateStageOutput writes an output checked by
// the same rules as a model's answer (an EDIT version, nothing charged); selectStageVersion
// makes an earlier version current again. Either way the stages after it become stale.
import type { MikroORM } from '@mikro-orm/core';
import { Task, type UserRow } from '../db/entities.ts';
import { BadInputError, ConflictError, NotFoundError, PreconditionError } from '../errors.ts';
import type { ProjectService } from '../projects/project-service.ts';
import type { StageName } from '../stages/names.ts';
import type { DependencyOutputs } from '../stages/stage.ts';
import { MalformedOutputError } from '../stages/structured-output.ts';
import { TEXT_OUTPUTS, isTextStage } from '../stages/text-outputs.ts';
import type { StageRegistry } from '../stages/registry.ts';
import { stageOf } from '../stages/registry.ts';
import { activeKeyOf } from './new-task.ts';
import { readsOf } from './stale.ts';
import { madeFromOf, madeFromVersions, outputOf, type VersionStore } from './version-store.ts';

export interface UpdateStageOutputInput {
  projectId: string;
  stage: string;
  output?: unknown;
}

/** An edited output as JSON is at most this long: a storyboard of 20 long scenes fits many times. */
const MAX_EDIT_CHARS = 200_000;

export interface StageEdits {
  /** Returns the stage's name once the new version is current. */
  update(user: Pick<UserRow, 'id'>, request: UpdateStageOutputInput): Promise<StageName>;
  select(user: Pick<UserRow, 'id'>, projectId: string, stage: StageName, versionId: string): Promise<StageName>;
}

export function createStageEdits(deps: { orm: MikroORM; registry: StageRegistry; projects: ProjectService; versions: VersionStore }): StageEdits {
  const { versions } = deps;

  return {
    async update(user, request) {
      const name = request.stage;
      if (!isTextStage(name)) {
        throw new BadInputError('input.stage', 'must be a text stage: REWRITE, STORYBOARD or CAMERA_MOVEMENT (images and clips are made by running their stage)');
      }
      const stage = stageOf(deps.registry, name);
      const rules = TEXT_OUTPUTS[name];
      const raw = request.output;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BadInputError('input.output', `must be a JSON object: { ${rules.keys.join(', ')} }`);
      const unknown = Object.keys(raw).find((k) => !rules.keys.includes(k));
      if (unknown) throw new BadInputError(`input.output.${unknown}`, `is not a field of a ${name} output (it has ${rules.keys.join(', ')})`);
      if (JSON.stringify(raw).length > MAX_EDIT_CHARS) throw new BadInputError('input.output', `must be at most ${MAX_EDIT_CHARS.toLocaleString('en')} characters as JSON`);
      const project = await deps.projects.get(user.id, request.projectId);

      const read = await versions.current(project.id, readsOf(stage));
      const outputs: DependencyOutputs = {};
      for (const [s, v] of Object.entries(read)) outputs[s as StageName] = outputOf(v);
      const missing = rules.needs.filter((n) => !outputs[n]);
      if (missing.length) throw new PreconditionError(`Editing ${name} needs the output of ${missing.join(' and ')}.`);
      let output;
      try {
        output = rules.parse(raw as Record<string, unknown>, outputs);
      } catch (err) {
        if (err instanceof MalformedOutputError) throw new BadInputError(`input.output.${err.field}`, err.rule);
        throw err;
      }
      if (await deps.orm.em.fork().findOne(Task, { activeKey: activeKeyOf(project.id, name) }, { fields: ['id'] })) {
        throw new ConflictError(`A ${name} task of this project is running; wait for it or cancel it before editing.`);
      }
      const current = (await versions.current(project.id, [name]))[name];
      await versions.add({
        projectId: project.id,
        ownerId: user.id,
        stage: name,
        source: 'EDIT',
        parentId: current?.id ?? null,
        output,
        // An edit stays what the version it changes was made from; a re-run with the same input keeps it.
        madeFrom: current ? madeFromOf(current) : madeFromVersions(read),
        cacheKey: current?.cacheKey ?? null,
      });
      return name;
    },

    async select(user, projectId, stage, versionId) {
      const project = await deps.projects.get(user.id, projectId);
      if (!(await versions.select(project.id, stage, versionId))) throw new NotFoundError('StageVersion', versionId);
      return stage;
    },
  };
}
