// Placeholder for the stages still being built: listed with their place in the pipeline,
// but executeStage refuses them with a clear message instead of taking credits.
import { PreconditionError } from '../errors.ts';
import { objectWithKeys } from './input-rules.ts';
import type { StageName } from './names.ts';
import type { StageDefinition } from './stage.ts';

export function notYetAvailable(name: StageName, order: number, label: string, dependsOn: StageName[], creditCost: number): StageDefinition<Record<string, unknown>> {
  return {
    name,
    order,
    label,
    dependsOn,
    creditCost,
    parseInput: (raw) => objectWithKeys(raw ?? {}, name, Object.keys((raw as object) ?? {})),
    missing: () => `${name} is not available yet in this version of Story Pipeline.`,
    run: async () => {
      throw new PreconditionError(`${name} is not available yet.`);
    },
  };
}
