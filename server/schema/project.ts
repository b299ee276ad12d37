import type { Context } from '../api/context.ts';
import type { TaskRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput, TaskErrorInfo } from '../stages/outputs.ts';
import { BadInputError } from '../errors.ts';
import { checkPage } from '../projects/project-service.ts';
import { builder } from './builder.ts';
import { loadersOf } from './loaders.ts';
import { StageOutputUnion, TaskErrorRef } from './output.ts';
import { ProjectRef, TaskRef } from './refs.ts';
import { StageNameEnum, StageStatusEnum } from './stage.ts';

/** A stage of a project: derived from its tasks (newest first), loaded once per request for all its stages. */
export interface ProjectStageSource {
  projectId: string;
  name: StageName;
  newest: Promise<TaskRow | null>;
  tasks: Promise<TaskRow[]>;
}

const STAGE_STATUS: Record<string, 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED'> = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  RETRYING: 'RUNNING', // still on its way; the task says why
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
};

export const ProjectStageRef = builder.objectRef<ProjectStageSource>('ProjectStage').implement({
  fields: (t) => ({
    name: t.field({ type: StageNameEnum, resolve: (s) => s.name }),
    status: t.field({ type: StageStatusEnum, resolve: async (s) => { const task = await s.newest; return task ? STAGE_STATUS[task.status] : 'IDLE'; } }),
    output: t.field({
      type: StageOutputUnion,
      nullable: true,
      description: 'The output of the newest completed task of this stage.',
      // The current version's (versions.ts): a run, a refine, an edit, or one selected again.
      resolve: async (s, _args, ctx) => {
        const current = (await loadersOf(ctx).currentVersionsOf.load(s.projectId)).find((v) => v.stage === s.name);
        return parseJson<StageOutput>(current?.output);
      },
    }),
    error: t.field({ type: TaskErrorRef, nullable: true, resolve: async (s) => parseJson<TaskErrorInfo>((await s.newest)?.error) }),
    updatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: async (s) => { const task = await s.newest; return task ? (task.finishedAt ?? task.startedAt ?? task.createdAt) : null; },
    }),
    latestTask: t.field({ type: TaskRef, nullable: true, resolve: (s) => s.newest }),
  }),
});

export const stageOf = (ctx: Context, projectId: string, name: StageName): ProjectStageSource => {
  const tasks = loadersOf(ctx)
    .tasksOf.load(projectId)
    .then((all) => all.filter((t) => t.stage === name));
  return { projectId, name, tasks, newest: tasks.then((list) => list[0] ?? null) };
};

ProjectRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    originalTopic: t.string({ nullable: true, resolve: (p) => p.originalTopic }),
    originalText: t.string({ nullable: true, resolve: (p) => p.originalText }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    stages: t.field({
      type: [ProjectStageRef],
      description: 'All five stages, in pipeline order.',
      resolve: (p, _args, ctx) => [...ctx.services.registry.keys()].map((name) => stageOf(ctx, p.id, name)),
    }),
    stage: t.field({
      type: ProjectStageRef,
      args: { name: t.arg({ type: StageNameEnum, required: true }) },
      resolve: (p, { name }, ctx) => stageOf(ctx, p.id, name),
    }),
    tasks: t.field({
      type: [TaskRef],
      description: 'Newest first; at most `first` (1 to 100) after the task `after`.',
      args: { stage: t.arg({ type: StageNameEnum }), first: t.arg.int({ defaultValue: 50 }), after: t.arg.id() },
      resolve: async (p, { stage, first, after }, ctx) => {
        checkPage({ first: first ?? 50 });
        const all = (await loadersOf(ctx).tasksOf.load(p.id)).filter((t) => !stage || t.stage === stage);
        const from = after ? all.findIndex((t) => t.id === after) + 1 : 0;
        if (after && from === 0) throw new BadInputError('after', 'must be the id of a task of this list');
        return all.slice(from, from + (first ?? 50));
      },
    }),
  }),
});

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    originalTopic: t.string(),
    originalText: t.string(),
  }),
});

builder.queryField('projects', (t) =>
  t.field({
    type: [ProjectRef],
    description: 'Newest first; at most `first` (1 to 100) after the project `after`.',
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.id() },
    resolve: (_root, { first, after }, ctx) => ctx.services.projects.list(ctx.requireUser().id, { first: first ?? 50, after }),
  }),
);

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      ctx.assertReadable(id, 'Project', id);
      return ctx.services.projects.find(ctx.reader().ownerId, id);
    },
  }),
);

builder.mutationField('createProject', (t) =>
  t.field({
    type: ProjectRef,
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.projects.create(ctx.requireUser().id, input),
  }),
);

builder.mutationField('deleteProject', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.deleteProject(ctx.requireUser(), id);
      return true;
    },
  }),
);
