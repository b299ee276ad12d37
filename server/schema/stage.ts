import { STAGE_NAMES, TASK_STATUSES, type StageName } from '../stages/names.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { builder } from './builder.ts';

/** As the contract describes them (the first five have none there). */
const STAGE_DESCRIPTIONS: Partial<Record<StageName, string>> = {
  NARRATION: "A voice reading each scene's narration, with the timing of every line.",
  FILM: 'The finished film: the clips timed to the narration, with its voice and subtitles, as one MP4.',
};

export const StageNameEnum = builder.enumType('StageName', {
  description: 'The stages of a story pipeline, in pipeline order.',
  values: Object.fromEntries(STAGE_NAMES.map((name) => [name, { description: STAGE_DESCRIPTIONS[name] }])) as Record<StageName, { description?: string }>,
});

export const StageStatusEnum = builder.enumType('StageStatus', {
  values: {
    IDLE: { description: 'The stage has never been run for this project.' },
    QUEUED: {},
    RUNNING: {},
    COMPLETED: {},
    FAILED: {},
    CANCELLED: {},
  },
});

export const TaskStatusEnum = builder.enumType('TaskStatus', {
  values: Object.fromEntries(
    TASK_STATUSES.map((s) => [s, s === 'RETRYING' ? { description: 'An attempt failed with a retryable error; the task will run again.' } : {}]),
  ) as Record<(typeof TASK_STATUSES)[number], { description?: string }>,
});

export const CachePolicyEnum = builder.enumType('CachePolicy', { values: ['REUSE', 'FRESH'] as const });

const StageInfoRef = builder.objectRef<StageDefinition<unknown>>('StageInfo').implement({
  fields: (t) => ({
    name: t.field({ type: StageNameEnum, resolve: (s) => s.name }),
    order: t.exposeInt('order'),
    label: t.exposeString('label'),
    dependsOn: t.field({ type: [StageNameEnum], resolve: (s) => s.dependsOn }),
    creditCost: t.exposeInt('creditCost'),
  }),
});

builder.queryField('stages', (t) =>
  t.field({
    type: [StageInfoRef],
    description: 'The stages of the pipeline, in order. Answers without signing in.',
    resolve: (_root, _args, ctx) => [...ctx.services.registry.values()],
  }),
);
