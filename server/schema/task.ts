import type { TaskRow } from '../db/entities.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { createTextAssembler, textAsOf } from '../events/follow-task.ts';
import type { DeliveredEvent } from '../events/types.ts';
import { isActive, type StageName, type TaskStatus } from '../stages/names.ts';
import type { StageOutput, TaskErrorInfo } from '../stages/outputs.ts';
import { parseJson } from '../db/json.ts';
import type { Context } from '../api/context.ts';
import { etaNow } from '../events/task-rate.ts';
import { builder } from './builder.ts';
import { loadersOf } from './loaders.ts';
import { StageOutputUnion, TaskErrorRef } from './output.ts';
import { ProjectRef, StageEventRef, TaskRef } from './refs.ts';
import { selectsField } from './selection.ts';
import { CachePolicyEnum, StageNameEnum, TaskStatusEnum } from './stage.ts';

/**
 * While a task is active its state lives in Redis: status, progress, attempt, seq and text
 * all come from one atomic snapshot, so `text` is exactly the text as of `lastSeq` and a
 * client can show the one and resume from the other. Once it ended, the row is the truth.
 */
const live = async (task: TaskRow, ctx: Context) => (isActive(task.status) ? ctx.live(task.id) : null);

TaskRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    channel: t.string({
      description: 'The Redis pub/sub channel on which this task\'s events are published.',
      resolve: (task, _args, ctx) => ctx.services.eventLog.channel(task.id),
    }),
    project: t.field({
      type: ProjectRef,
      resolve: async (task, _args, ctx) => {
        const project = await loadersOf(ctx).project.load(task.projectId);
        if (!project) throw new NotFoundError('Project', task.projectId);
        return project;
      },
    }),
    stage: t.field({ type: StageNameEnum, resolve: (task) => task.stage as StageName }),
    status: t.field({
      type: TaskStatusEnum,
      resolve: async (task, _args, ctx) => ((await live(task, ctx))?.meta.status ?? task.status) as TaskStatus,
    }),
    progress: t.int({
      description: '0 to 100.',
      resolve: async (task, _args, ctx) => (await live(task, ctx))?.meta.progress ?? task.progress,
    }),
    message: t.string({ nullable: true, resolve: (task) => task.message }),
    attempt: t.int({
      description: '1-based number of the current attempt.',
      resolve: async (task, _args, ctx) => (await live(task, ctx))?.meta.attempt ?? task.attempt,
    }),
    maxAttempts: t.exposeInt('maxAttempts'),
    text: t.string({
      nullable: true,
      description: 'Text generated so far by the current attempt (text stages); the polling fallback.',
      resolve: async (task, _args, ctx) => (isActive(task.status) ? ((await live(task, ctx))?.text ?? null) : task.text),
    }),
    output: t.field({
      type: StageOutputUnion,
      nullable: true,
      description: 'Set once the task is COMPLETED.',
      resolve: (task) => parseJson<StageOutput>(task.output),
    }),
    error: t.field({ type: TaskErrorRef, nullable: true, resolve: (task) => parseJson<TaskErrorInfo>(task.error) }),
    tokensUsed: t.int({ nullable: true, resolve: (task) => task.tokensUsed }),
    creditsCharged: t.exposeInt('creditsCharged'),
    lastSeq: t.int({
      description: 'seq of the newest event of this task: the cursor to resume a subscription from.',
      resolve: async (task, _args, ctx) => (await live(task, ctx))?.meta.seq ?? (task.archivedAt ? task.lastSeq : ((await ctx.services.eventLog.meta(task.id))?.seq ?? task.lastSeq)),
    }),
    events: t.field({
      type: [StageEventRef],
      description: "The task's event log, oldest first, seq > after.",
      args: { after: t.arg.int({ defaultValue: 0 }), first: t.arg.int({ defaultValue: 100 }) },
      resolve: async (task, args, ctx, info): Promise<DeliveredEvent[]> => {
        const after = args.after ?? 0;
        const first = args.first ?? 100;
        if (after < 0) throw new BadInputError('after', 'must be 0 or more');
        if (first < 1 || first > 1000) throw new BadInputError('first', 'must be from 1 to 1000');
        const events = await ctx.services.eventLog.read(task.id, after, first);
        if (!selectsField(info, 'fullText')) return events;
        const assemble = createTextAssembler(after > 0 ? await textAsOf(ctx.services.eventLog, task.id, after) : { text: '', attempt: 0 });
        return events.map(assemble);
      },
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => task.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => task.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (task) => task.finishedAt }),
    processingTimeMs: t.int({ nullable: true, resolve: (task) => task.processingTimeMs }),
    tokensPerSecond: t.float({
      nullable: true,
      description: 'Text stages: model tokens per second of the current attempt, while it streams and at the end.',
      resolve: async (task, _args, ctx) => (isActive(task.status) ? ((await ctx.services.rates.get(task.id))?.tokensPerSecond ?? null) : task.tokensPerSecond),
    }),
    etaSeconds: t.float({
      nullable: true,
      description: 'Estimated seconds until the task completes (null when finished or unknown).',
      resolve: async (task, _args, ctx) => {
        if (!isActive(task.status)) return null;
        const rate = await ctx.services.rates.get(task.id);
        return rate ? etaNow(rate) : null;
      },
    }),
    provider: t.string({ nullable: true, description: 'The provider that produced the output.', resolve: (task) => task.provider }),
    model: t.string({ nullable: true, description: 'The model that produced the output.', resolve: (task) => task.model }),
    cached: t.boolean({
      description: 'True when the output was reused from an earlier task with the same effective input (nothing charged).',
      resolve: (task) => Boolean(task.cached),
    }),
  }),
});

builder.queryField('task', (t) =>
  t.field({
    type: TaskRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const task = await ctx.services.tasks.findOwned(ctx.reader().ownerId, id);
      // A share token is told NOT_FOUND for whatever it does not open.
      if (ctx.share && !task) throw new NotFoundError('Task', id);
      if (task) ctx.assertReadable(task.projectId, 'Task', id);
      return task;
    },
  }),
);

const ExecuteStageInput = builder.inputType('ExecuteStageInput', {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    stage: t.field({ type: StageNameEnum, required: true }),
    input: t.field({ type: 'JSON', description: 'Stage-specific options; see the stage table in README.md.' }),
    idempotencyKey: t.string({ description: 'Same key from the same user: the same task, never a second job.' }),
    cache: t.field({
      type: CachePolicyEnum,
      defaultValue: 'REUSE',
      description: 'REUSE: an unchanged effective input reuses the earlier output (README.md, Cache).',
    }),
  }),
});

builder.mutationField('executeStage', (t) =>
  t.field({
    type: TaskRef,
    args: { input: t.arg({ type: ExecuteStageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const user = ctx.requireUser();
      await ctx.services.rateLimits.startTasks(user.id);
      return ctx.services.executeStage(user, input);
    },
  }),
);

builder.mutationField('runPipeline', (t) =>
  t.field({
    type: [TaskRef],
    description: 'Runs `from` and every stage after it, each as soon as its dependencies are COMPLETED. Returns the tasks in pipeline order.',
    args: {
      projectId: t.arg.id({ required: true }),
      from: t.arg({ type: StageNameEnum, defaultValue: 'REWRITE' }),
      cache: t.arg({ type: CachePolicyEnum, defaultValue: 'REUSE' }),
    },
    resolve: async (_root, args, ctx) => {
      const user = ctx.requireUser();
      await ctx.services.rateLimits.startTasks(user.id);
      return ctx.services.runPipeline(user, args.projectId, args.from ?? 'REWRITE', args.cache ?? 'REUSE');
    },
  }),
);

builder.mutationField('cancelTask', (t) =>
  t.field({
    type: TaskRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.cancelTask(ctx.requireUser(), id),
  }),
);
