// The cache of stage outputs, keyed by effective input: the stage's options, the content
// of the current versions it reads (and, for REWRITE, the project's material), the model
// and the provider. With cache REUSE a task whose key matches completes at once from that
// output (QUEUED → RUNNING → CompletedEvent cached) and is charged nothing:
//  1. the stage's current version descends from a run with this key: keep it (a hand edit
//     or a refine of it survives a re-run, as long as nothing it was made from changed);
//  2. else the newest run of the same user's stage with this key, in any of their projects.
// Media stages also reuse unchanged scenes of their earlier outputs (see the stages).
import type { ProjectRow, TaskRow } from '../db/entities.ts';
import { hashOf } from '../stages/content-hash.ts';
import type { StageName } from '../stages/names.ts';
import type { StageOutput } from '../stages/outputs.ts';
import { outputOf, type CurrentVersions, type VersionStore } from './version-store.ts';

export interface EffectiveInput {
  stage: StageName;
  /** The stage's parsed options. */
  input: unknown;
  /** What it reads: the current versions of its upstream stages. */
  reads: CurrentVersions;
  project: Pick<ProjectRow, 'originalTopic' | 'originalText'>;
  provider: string;
  model: string;
}

/** The effective-input key: a hash of content, never of ids, so equal inputs meet. */
export function cacheKeyOf(e: EffectiveInput): string {
  const reads = Object.fromEntries(Object.entries(e.reads).map(([stage, v]) => [stage, v!.contentHash]));
  const material = e.stage === 'REWRITE' ? { topic: e.project.originalTopic ?? null, text: e.project.originalText ?? null } : null;
  return hashOf({ stage: e.stage, input: e.input, reads, material, provider: e.provider, model: e.model });
}

export interface StageCache {
  /** The output a task with this key completes from, or null when it must run. */
  lookup(task: Pick<TaskRow, 'id' | 'projectId' | 'ownerId' | 'stage'>, key: string): Promise<StageOutput | null>;
  /** This stage's recent outputs in this project, newest first: what a media stage may reuse scenes of. */
  earlier(projectId: string, stage: StageName): Promise<StageOutput[]>;
}

/** Versions looked at for reusable scenes: enough to go back and forth between a few edits. */
const EARLIER_VERSIONS = 10;

export function createStageCache(deps: { versions: VersionStore }): StageCache {
  const { versions } = deps;

  return {
    async lookup(task, key) {
      const stage = task.stage as StageName;
      const current = (await versions.current(task.projectId, [stage]))[stage];
      if (current?.cacheKey === key) return outputOf(current);
      const hit = await versions.byCacheKey(task.ownerId, stage, key);
      // Images and clips of another project are shared, not copied: deleting that project
      // keeps the files another project's versions still show (delete-project.ts).
      return hit ? outputOf(hit) : null;
    },

    async earlier(projectId, stage) {
      return (await versions.list(projectId, stage, EARLIER_VERSIONS)).map(outputOf);
    },
  };
}
