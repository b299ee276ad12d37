// Project.etaSeconds: the whole run's ETA while a runPipeline call of the project runs.
import type { TaskRow } from '../db/entities.ts';
import { etaNow } from '../events/task-rate.ts';
import { pipelineEta } from '../tasks/pipeline-eta.ts';
import { builder } from './builder.ts';
import { loadersOf } from './loaders.ts';
import { ProjectRef } from './refs.ts';

builder.objectField(ProjectRef, 'etaSeconds', (t) =>
  t.float({
    nullable: true,
    description:
      'While a runPipeline call of this project runs: estimated seconds until its last stage completes (the critical path through the stages left, from their recent runs); null otherwise.',
    resolve: async (project, _args, ctx) => {
      const all = await loadersOf(ctx).tasksOf.load(project.id); // newest first
      const pipelineId = all.find((task) => task.pipelineId)?.pipelineId;
      if (!pipelineId) return null;
      const tasks = all.filter((task) => task.pipelineId === pipelineId);
      if (!tasks.some((task) => task.status === 'QUEUED' || task.status === 'RUNNING' || task.status === 'RETRYING')) return null;
      const running = tasks.filter((task) => task.status === 'RUNNING' || task.status === 'RETRYING');
      const [durations, rates] = await Promise.all([
        ctx.services.history.durations(tasks.map((task) => task.stage)),
        Promise.all(running.map(async (task) => [task.id, await ctx.services.rates.get(task.id)] as const)),
      ]);
      const now = Date.now();
      const rateOf = new Map(rates);
      return pipelineEta({
        tasks,
        registry: ctx.services.registry,
        durations,
        etaOf: (task: TaskRow) => {
          const rate = rateOf.get(task.id);
          return rate ? etaNow(rate, now) : null;
        },
        progressOf: (task: TaskRow) => rateOf.get(task.id)?.progress ?? null,
        now,
      });
    },
  }),
);
