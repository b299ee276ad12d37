// runPipeline: runs `from` and every later stage as a dependency graph.
// Until every stage of the pipeline is available, it refuses clearly rather than half-run.
import type { UserRow } from '../db/entities.ts';
import { PreconditionError } from '../errors.ts';
import type { StageName } from '../stages/names.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { TaskRow } from '../db/entities.ts';
import type { ProjectService } from '../projects/project-service.ts';

export type RunPipeline = (user: UserRow, projectId: string, from: StageName) => Promise<TaskRow[]>;

export function createRunPipeline(deps: { registry: StageRegistry; projects: ProjectService }): RunPipeline {
  return async (user, projectId, from) => {
    await deps.projects.get(user.id, projectId);
    const start = deps.registry.get(from)!;
    const stages = [...deps.registry.values()].filter((s) => s.order >= start.order);
    const unavailable = stages.filter((s) => s.missing({}, { id: '', name: '', originalText: 'x', originalTopic: 'x' }, {})?.includes('not available'));
    if (unavailable.length) {
      throw new PreconditionError(`runPipeline needs ${unavailable.map((s) => s.name).join(', ')}, which ${unavailable.length > 1 ? 'are' : 'is'} not available yet.`);
    }
    throw new PreconditionError('runPipeline is not available yet.');
  };
}
