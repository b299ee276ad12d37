import type { StageOutput, StageViewModel } from './api/types.ts';
import { STAGE_DEPENDENCIES, type StageName } from './stages.ts';

export type DisplayStatus = 'IDLE' | 'QUEUED' | 'RUNNING' | 'RETRYING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** The status to show: the current task's, or the stage's when it has none. */
export function displayStatus(view: StageViewModel): DisplayStatus {
  return view.stream.current?.status ?? view.stageStatus;
}

export function isActive(status: DisplayStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING' || status === 'RETRYING';
}

/** The output to show: the current task's, else the newest completed one. */
export function displayOutput(view: StageViewModel): StageOutput | null {
  return view.stream.current?.output ?? view.stageOutput;
}

export function dependenciesMet(stage: StageName, views: Readonly<Record<StageName, StageViewModel>>): boolean {
  return STAGE_DEPENDENCIES[stage].every((dep) => displayOutput(views[dep]) !== null);
}
