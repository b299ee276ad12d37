import type { Context } from '../api/context.ts';
import type { TaskRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput, TaskErrorInfo } from '../stages/outputs.ts';
import { builder } from './builder.ts';
import { StageOutputUnion, TaskErrorRef } from './output.ts';
import { ProjectRef, TaskRef } from './refs.ts';
import { StageNameEnum, StageStatusEnum } from './stage.ts';

/** A stage of a project: derived from its newest task, loaded once per ProjectStage. */
interface ProjectStageSource {
  projectId: string;
  name: StageName;
  newest: Promise<TaskRow | null>;
}

const STAGE_STATUS: Record<string, 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED'> = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  RETRYING: 'RUNNING', // still on its way; the task says why
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
};

const ProjectStageRef = builder.objectRef<ProjectStageSource>('ProjectStage').implement({
  fields: (t) => ({
    name: t.field({ type: StageNameEnum, resolve: (s) => s.name }),
    status: t.field({ type: StageStatusEnum, resolve: async (s) => { const task = await s.newest; return task ? STAGE_STATUS[task.status] : 'IDLE'; } }),
    output: t.field({
      type: StageOutputUnion,
      nullable: true,
      description: 'The output of the newest completed task of this stage.',
      resolve: async (s, _args, ctx) => {
        const task = await s.newest;
        if (task?.status === 'COMPLETED') return parseJson<StageOutput>(task.output);
        return ctx.services.tasks.newestCompletedOutput(s.projectId, s.name);
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

const stageOf = (ctx: Context, projectId: string, name: StageName): ProjectStageSource => ({
  projectId,
  name,
  newest: ctx.services.tasks.newest(projectId, name),
});

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
      description: 'Newest first.',
      args: { stage: t.arg({ type: StageNameEnum }) },
      resolve: (p, { stage }, ctx) => ctx.services.tasks.list(p.id, stage ?? undefined),
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
  t.field({ type: [ProjectRef], resolve: (_root, _args, ctx) => ctx.services.projects.list(ctx.requireUser().id) }),
);

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.projects.find(ctx.requireUser().id, id),
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
