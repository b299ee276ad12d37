// Versions of a stage's output, and the mutations that steer them: refineStage,
// updateStageOutput, selectStageVersion (see tasks/version-store.ts).
import type { StageVersionRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import { BadInputError } from '../errors.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput } from '../stages/outputs.ts';
import { staleStages } from '../tasks/stale.ts';
import { builder } from './builder.ts';
import { loadersOf } from './loaders.ts';
import { StageOutputUnion } from './output.ts';
import { ProjectStageRef, stageOf } from './project.ts';
import { TaskRef } from './refs.ts';
import { StageNameEnum } from './stage.ts';

const VersionSourceEnum = builder.enumType('VersionSource', {
  values: {
    RUN: { description: 'A run of the stage (executeStage or runPipeline), or its reuse from the cache.' },
    REFINE: { description: "refineStage: the previous output revised by the model with the user's instructions." },
    EDIT: { description: 'updateStageOutput: written by hand.' },
  },
});

const StageVersionRef = builder.objectRef<StageVersionRow>('StageVersion').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    source: t.field({ type: VersionSourceEnum, resolve: (v) => v.source as 'RUN' | 'REFINE' | 'EDIT' }),
    instructions: t.string({ nullable: true, description: "The user's instructions (REFINE).", resolve: (v) => v.instructions ?? null }),
    task: t.field({
      type: TaskRef,
      nullable: true,
      description: 'The task that produced it (RUN, REFINE).',
      resolve: (v, _args, ctx) => (v.taskId ? ctx.services.tasks.findOwned(ctx.requireUser().id, v.taskId) : null),
    }),
    output: t.field({ type: StageOutputUnion, resolve: (v) => parseJson<StageOutput>(v.output)! }),
    current: t.boolean({ description: 'The version downstream stages read.', resolve: (v) => Boolean(v.current) }),
  }),
});

builder.objectFields(ProjectStageRef, (t) => ({
  stale: t.boolean({
    description: 'True when an output this stage was made from has changed since (a new version upstream).',
    resolve: async (s, _args, ctx) => staleStages(ctx.services.registry, await loadersOf(ctx).currentVersionsOf.load(s.projectId)).has(s.name),
  }),
  versions: t.field({
    type: [StageVersionRef],
    description: "Every version of this stage's output, newest first; one of them is current.",
    args: { first: t.arg.int({ defaultValue: 20 }) },
    resolve: (s, { first }, ctx) => {
      const n = first ?? 20;
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new BadInputError('first', 'must be from 1 to 100');
      return ctx.services.versions.list(s.projectId, s.name, n);
    },
  }),
}));

const RefineStageInput = builder.inputType('RefineStageInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    stage: t.field({ type: StageNameEnum, required: true, description: 'A text stage: REWRITE, STORYBOARD or CAMERA_MOVEMENT.' }),
    instructions: t.string({ required: true, description: "What to change, in the user's words (at most 2,000 characters)." }),
    interrupt: t.boolean({
      defaultValue: false,
      description: 'When a task of the stage is active: false fails with CONFLICT; true cancels it and refines the text it had written so far.',
    }),
    idempotencyKey: t.string(),
  }),
});

const UpdateStageOutputInput = builder.inputType('UpdateStageOutputInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    stage: t.field({ type: StageNameEnum, required: true, description: 'A text stage: REWRITE, STORYBOARD or CAMERA_MOVEMENT.' }),
    output: t.field({ type: 'JSON', required: true, description: "The stage's output shape: { text } | { scenes: [...] } | { shots: [...] }." }),
  }),
});

builder.mutationField('refineStage', (t) =>
  t.field({
    type: TaskRef,
    description: "Revises a text stage's current output with the model, following the instructions; a new version when it completes.",
    args: { input: t.arg({ type: RefineStageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const user = ctx.requireUser();
      await ctx.services.rateLimits.startTasks(user.id);
      return ctx.services.refineStage(user, input);
    },
  }),
);

builder.mutationField('updateStageOutput', (t) =>
  t.field({
    type: ProjectStageRef,
    description: "Writes a text stage's output by hand: a new current version; the stages after it become stale.",
    args: { input: t.arg({ type: UpdateStageOutputInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const stage = await ctx.services.stageEdits.update(ctx.requireUser(), input);
      return stageOf(ctx, input.projectId, stage);
    },
  }),
);

builder.mutationField('selectStageVersion', (t) =>
  t.field({
    type: ProjectStageRef,
    description: 'Makes an earlier version current again; the stages after it become stale.',
    args: {
      projectId: t.arg.id({ required: true }),
      stage: t.arg({ type: StageNameEnum, required: true }),
      versionId: t.arg.id({ required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const stage: StageName = await ctx.services.stageEdits.select(ctx.requireUser(), args.projectId, args.stage, args.versionId);
      return stageOf(ctx, args.projectId, stage);
    },
  }),
);
