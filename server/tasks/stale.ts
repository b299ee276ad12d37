// Which stages are stale: made from an upstream output that is no longer current. A stage
// is stale when an output it reads has changed since its current version was made, or when
// one of those upstream stages is itself stale, so a change to REWRITE reaches every stage
// after it, a change to STORYBOARD reaches IMAGE, CAMERA, VIDEO, NARRATION and FILM, and one to
// CAMERA only VIDEO and FILM. A stage that never ran has no version and is never stale.
import type { StageVersionRow } from '../db/entities.ts';
import type { StageName } from '../stages/names.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { madeFromOf, type CurrentVersions } from './version-store.ts';

/** The stages a stage reads: its dependencies and what it reads besides. */
export const readsOf = (stage: Pick<StageDefinition<unknown>, 'dependsOn' | 'reads'>): StageName[] => [...stage.dependsOn, ...(stage.reads ?? [])];

export function staleStages(registry: StageRegistry, current: CurrentVersions | StageVersionRow[]): Set<StageName> {
  const byStage: CurrentVersions = Array.isArray(current) ? {} : current;
  if (Array.isArray(current)) for (const row of current) byStage[row.stage as StageName] ??= row;
  const stale = new Set<StageName>();
  // The registry is in pipeline order, so upstream stages are decided first.
  for (const stage of registry.keys()) {
    const version = byStage[stage];
    if (!version) continue;
    const madeFrom = madeFromOf(version);
    const changed = readsOf(registry.get(stage)!).some((upstream) => {
      if (stale.has(upstream)) return true;
      const now = byStage[upstream];
      const then = madeFrom[upstream];
      // Nothing recorded (a version from before versions existed) is not evidence of a change.
      return Boolean(now && then && now.contentHash !== then.hash);
    });
    if (changed) stale.add(stage);
  }
  return stale;
}
