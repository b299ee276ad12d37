// Per-request batching for fields that walk relations (Project.stages, Project.tasks,
// Task.project): every project asked for in one request is loaded with one query, and so
// are the tasks of every project in it, so a query costs what it returns, not its nesting.
import DataLoader from 'dataloader';
import type { Context } from '../api/context.ts';
import type { ProjectRow, StageVersionRow, TaskRow } from '../db/entities.ts';

export interface Loaders {
  /** A project the reader may read (the signed-in user's, a share token's one), or null. */
  project: DataLoader<string, ProjectRow | null>;
  /** Every task of a project, newest first. */
  tasksOf: DataLoader<string, TaskRow[]>;
  /** The current version of every stage of a project. */
  currentVersionsOf: DataLoader<string, StageVersionRow[]>;
}

const perRequest = new WeakMap<Context, Loaders>();

// Batching only, no caching: a subscription's context lives as long as it does, and what
// it loads must be as of each event.
const BATCH_ONLY = { cache: false } as const;

export function loadersOf(ctx: Context): Loaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    // A share token reads its owner's data, of its one project only.
    const { ownerId, projectId: only } = ctx.reader();
    loaders = {
      project: new DataLoader(async (ids) => {
        const rows = await ctx.services.projects.byIds(ownerId, ids);
        return ids.map((id) => rows.find((p) => p.id === id && (!only || p.id === only)) ?? null);
      }, BATCH_ONLY),
      tasksOf: new DataLoader(async (projectIds) => {
        const rows = await ctx.services.tasks.ofProjects(projectIds);
        return projectIds.map((id) => rows.filter((t) => t.projectId === id));
      }, BATCH_ONLY),
      currentVersionsOf: new DataLoader(async (projectIds) => {
        const rows = await ctx.services.versions.currentOfProjects(projectIds);
        return projectIds.map((id) => rows.filter((v) => v.projectId === id));
      }, BATCH_ONLY),
    };
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
