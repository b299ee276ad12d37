import type { Streamed } from '../api/context.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { textAsOf } from '../events/follow-task.ts';
import { followStage } from '../events/follow-stage.ts';
import { followTask } from '../events/follow-task.ts';
import type { DeliveredEvent, EventBody } from '../events/types.ts';
import { isActive, type TaskStatus } from '../stages/names.ts';
import type { StageOutput } from '../stages/outputs.ts';
import { builder } from './builder.ts';
import { StageOutputUnion, TaskErrorRef } from './output.ts';
import { selectsField } from './selection.ts';
import { StageNameEnum, TaskStatusEnum } from './stage.ts';
import { StageEventRef, TaskRef } from './refs.ts';

type Ev<T extends EventBody['type']> = Extract<DeliveredEvent, { type: T }>;

const TYPE_NAMES: Record<EventBody['type'], string> = {
  status: 'TaskStatusEvent',
  token: 'TokenEvent',
  progress: 'ProgressEvent',
  completed: 'CompletedEvent',
  failed: 'FailedEvent',
};

StageEventRef.implement({
  resolveType: (e) => TYPE_NAMES[e.type],
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: '1, 2, 3, ... per task, with no gaps.' }),
    taskId: t.exposeID('taskId'),
    projectId: t.exposeID('projectId'),
    stage: t.field({ type: StageNameEnum, resolve: (e) => e.stage }),
    attempt: t.exposeInt('attempt'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    provider: t.string({ nullable: true, description: 'The model provider at work (events written by a worker).', resolve: (e) => e.provider ?? null }),
    model: t.string({ nullable: true, description: 'The model at work (events written by a worker).', resolve: (e) => e.model ?? null }),
  }),
});

builder.objectRef<Ev<'status'>>('TaskStatusEvent').implement({
  interfaces: [StageEventRef],
  fields: (t) => ({
    status: t.field({ type: TaskStatusEnum, resolve: (e) => e.status as TaskStatus }),
    message: t.string({ nullable: true, resolve: (e) => e.message ?? null }),
  }),
});

builder.objectRef<Ev<'token'>>('TokenEvent').implement({
  interfaces: [StageEventRef],
  fields: (t) => ({
    delta: t.exposeString('delta', { description: 'The new text of this event (one or more model tokens).' }),
    fullText: t.string({
      description: 'All text of the current attempt up to and including this event.',
      // Assembled by the follower for subscribers that select it; rebuilt here otherwise.
      resolve: async (e, _args, ctx) => e.fullText ?? (await textAsOf(ctx.services.eventLog, e.taskId, e.seq)).text,
    }),
  }),
});

builder.objectRef<Ev<'progress'>>('ProgressEvent').implement({
  interfaces: [StageEventRef],
  fields: (t) => ({
    progress: t.exposeInt('progress', { description: '0 to 100.' }),
    step: t.int({ nullable: true, resolve: (e) => e.step ?? null }),
    totalSteps: t.int({ nullable: true, resolve: (e) => e.totalSteps ?? null }),
    message: t.string({ nullable: true, resolve: (e) => e.message ?? null }),
    etaSeconds: t.float({ nullable: true, resolve: (e) => e.etaSeconds ?? null }),
    tokensPerSecond: t.float({ nullable: true, description: 'Text stages: model tokens per second so far.', resolve: (e) => e.tokensPerSecond ?? null }),
  }),
});

builder.objectRef<Ev<'completed'>>('CompletedEvent').implement({
  interfaces: [StageEventRef],
  fields: (t) => ({
    output: t.field({ type: StageOutputUnion, resolve: (e) => e.output as StageOutput }),
    cached: t.boolean({ description: 'True when the output was reused from an earlier task (see Task.cached).', resolve: (e) => e.cached ?? false }),
    task: t.field({
      type: TaskRef,
      resolve: async (e, _args, ctx) => {
        const task = await ctx.services.tasks.find(e.taskId);
        if (!task) throw new NotFoundError('Task', e.taskId);
        return task;
      },
    }),
  }),
});

builder.objectRef<Ev<'failed'>>('FailedEvent').implement({
  interfaces: [StageEventRef],
  fields: (t) => ({
    error: t.field({ type: TaskErrorRef, resolve: (e) => e.error }),
    willRetry: t.exposeBoolean('willRetry'),
    retryInMs: t.int({ nullable: true, resolve: (e) => e.retryInMs ?? null }),
  }),
});

/** An event, or the error that ends the subscription (its session ended): raised here so every transport maps it alike. */
function delivered(e: Streamed<DeliveredEvent>): DeliveredEvent {
  if (e instanceof Error) throw e;
  return e;
}

function cursor(after: number | null | undefined): number | null {
  if (after === null || after === undefined) return null;
  if (after < 0) throw new BadInputError('after', 'must be 0 or more');
  return after;
}

builder.subscriptionField('taskProgress', (t) =>
  t.field({
    type: StageEventRef,
    description: "Events of one task with seq > after, then live; completes after the task's final event.",
    args: { taskId: t.arg.id({ required: true }), after: t.arg.int({ defaultValue: 0 }) },
    subscribe: async (_root, args, ctx, info) => {
      const task = await ctx.services.tasks.findOwned(ctx.reader().ownerId, args.taskId);
      if (!task) throw new NotFoundError('Task', args.taskId);
      ctx.assertReadable(task.projectId, 'Task', args.taskId);
      const after = cursor(args.after) ?? 0;
      return ctx.stream(() => followTask(ctx.services.follow, { taskId: task.id, after, withText: selectsField(info, 'fullText') }));
    },
    resolve: delivered,
  }),
);

builder.subscriptionField('stageProgress', (t) =>
  t.field({
    type: StageEventRef,
    description: "Events of this project's tasks for this stage, live; see README.md for replay and resume.",
    args: {
      projectId: t.arg.id({ required: true }),
      stage: t.arg({ type: StageNameEnum, required: true }),
      after: t.arg.int(),
    },
    subscribe: async (_root, args, ctx, info) => {
      const user = ctx.reader();
      ctx.assertReadable(args.projectId, 'Project', args.projectId);
      const project = await ctx.services.projects.get(user.ownerId, args.projectId);
      const after = cursor(args.after);
      return ctx.stream(() =>
        followStage(ctx.services.follow, {
          projectId: project.id,
          stageChannel: ctx.services.stageChannel(project.id, args.stage),
          newestTask: async () => {
            const task = await ctx.services.tasks.newest(project.id, args.stage);
            return task && { id: task.id, active: isActive(task.status) };
          },
          // Each new task is followed only while the project is still this user's.
          mayFollow: async () => (await ctx.services.projects.find(user.ownerId, project.id)) !== null,
          after,
          withText: selectsField(info, 'fullText'),
        }),
      );
    },
    resolve: delivered,
  }),
);
