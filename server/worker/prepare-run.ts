// Before an attempt runs its stage: the current versions it reads (and so what its output
// will be made from), its effective-input key, and whether the cache already holds its
// output; for a refine, the text to revise and the instructions.
import type { ProjectRow, TaskRow } from '../db/entities.ts';
import type { Producer } from '../events/event-log.ts';
import { PreconditionError } from '../errors.ts';
import type { StageOutput } from '../stages/outputs.ts';
import type { RefineRequest } from '../stages/refine.ts';
import type { DependencyOutputs, StageDefinition } from '../stages/stage.ts';
import { TEXT_OUTPUTS, isTextStage } from '../stages/text-outputs.ts';
import { cacheKeyOf, type StageCache } from '../tasks/cache.ts';
import { refineSpecOf } from '../tasks/refine-spec.ts';
import { readsOf } from '../tasks/stale.ts';
import { madeFromOf, madeFromVersions, outputOf, type MadeFrom, type VersionStore } from '../tasks/version-store.ts';
import type { StageName } from '../stages/names.ts';

export interface RunPlan {
  outputs: DependencyOutputs;
  /** Earlier outputs whose unchanged scenes a media stage may reuse (none with cache FRESH). */
  earlier: StageOutput[];
  /** Recorded with the version the task makes. */
  origin: { cacheKey: string | null; madeFrom: MadeFrom };
  /** The output to complete with at once, when the cache holds it. */
  cached: StageOutput | null;
  refine: RefineRequest | null;
}

export async function prepareRun(
  deps: { versions: VersionStore; cache: StageCache },
  row: TaskRow,
  stage: StageDefinition<unknown>,
  project: ProjectRow,
  by: Producer,
): Promise<RunPlan> {
  const read = await deps.versions.current(row.projectId, readsOf(stage));
  const outputs: DependencyOutputs = {};
  for (const [name, version] of Object.entries(read)) outputs[name as StageName] = outputOf(version);
  const madeFrom = madeFromVersions(read);

  const spec = refineSpecOf(row);
  if (spec) {
    if (!isTextStage(stage.name)) throw new PreconditionError(`${stage.name} cannot be refined.`);
    const base = spec.baseVersionId ? await deps.versions.find(row.projectId, stage.name, spec.baseVersionId) : null;
    const baseText = spec.baseText ?? (base ? TEXT_OUTPUTS[stage.name].answer(outputOf(base)) : '');
    if (!baseText.trim()) throw new PreconditionError(`${stage.name} has no output to refine; run it first.`);
    return {
      outputs,
      earlier: [],
      // A refine stays what its base was made from, with the key of the run it descends from.
      origin: { cacheKey: base?.cacheKey ?? null, madeFrom: base ? madeFromOf(base) : madeFrom },
      cached: null,
      refine: { stage: stage.name, base: baseText, instructions: spec.instructions, history: spec.history },
    };
  }

  const key = cacheKeyOf({ stage: stage.name, input: JSON.parse(row.input), reads: read, project, provider: by.provider, model: by.model });
  const fresh = row.cachePolicy === 'FRESH';
  return {
    outputs,
    earlier: fresh ? [] : await deps.cache.earlier(row.projectId, stage.name),
    origin: { cacheKey: key, madeFrom },
    cached: fresh ? null : await deps.cache.lookup(row, key),
    refine: null,
  };
}
