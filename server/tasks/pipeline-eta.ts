// The ETA of a whole runPipeline call: the critical path through its stages that are still
// to finish. Each stage takes what is left of it: a running one its own estimate (the text
// meter's, a media stage's steps or ffmpeg's progress), else its median recent duration less
// the time it has run; a waiting one its median recent duration. Stages that can run together (image
// generation beside camera movement) overlap, so the run ends when its longest chain does.
import type { StageDefinition } from '../stages/stage.ts';
import type { TaskRow } from '../db/entities.ts';
import type { StageName } from '../stages/names.ts';
import type { StageRegistry } from '../stages/registry.ts';

/** A stage never run before: a guess by its kind, until it has a history. */
export const UNKNOWN_STAGE_SECONDS: Record<StageDefinition['providerKind'], number> = { text: 20, image: 30, video: 60, audio: 20, film: 30 };

export interface PipelineEtaInput {
  /** The tasks of one runPipeline call. */
  tasks: TaskRow[];
  registry: StageRegistry;
  /** Recent durations (ms) per stage. */
  durations: Record<string, number[]>;
  /** A running task's own estimate of its seconds left, when it has one. */
  etaOf: (task: TaskRow) => number | null;
  /** How far a running task is (0..100) as of that estimate; unknown: its estimate is taken whole. */
  progressOf?: (task: TaskRow) => number | null;
  now: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Seconds until the last stage of the run completes; null when nothing of it is left to run. */
export function pipelineEta(input: PipelineEtaInput): number | null {
  const byStage = new Map(input.tasks.map((t) => [t.stage as StageName, t]));
  const left = input.tasks.filter((t) => t.status === 'QUEUED' || t.status === 'RUNNING' || t.status === 'RETRYING');
  if (left.length === 0) return null;

  // This run's pace so far: the stages it has completed (not from the cache) against their
  // history. A busier or quieter machine than in the runs before makes every stage slower or
  // faster alike, so the stages left are scaled by it (within half to twice their history).
  let took = 0;
  let usually = 0;
  for (const t of input.tasks) {
    const history = input.durations[t.stage];
    if (t.status !== 'COMPLETED' || t.cached || !t.startedAt || !t.finishedAt || !history?.length) continue;
    took += t.finishedAt.getTime() - t.startedAt.getTime();
    usually += median(history);
  }
  const pace = usually > 0 ? Math.min(2, Math.max(0.5, took / usually)) : 1;

  const typical = (stage: StageName): number => {
    const history = input.durations[stage] ?? [];
    if (history.length > 0) return (median(history) / 1000) * pace;
    const kind = input.registry.get(stage)?.providerKind ?? 'text';
    return UNKNOWN_STAGE_SECONDS[kind];
  };
  const remaining = (task: TaskRow): number => {
    if (task.status === 'COMPLETED' || task.status === 'FAILED' || task.status === 'CANCELLED') return 0;
    const stage = task.stage as StageName;
    if (task.status === 'QUEUED') return typical(stage);
    const own = input.etaOf(task);
    const ran = task.startedAt ? (input.now - task.startedAt.getTime()) / 1000 : 0;
    // Past its usual time, it is nearly done: say a little, not zero or a negative.
    const usual = Math.max(typical(stage) - ran, typical(stage) * 0.1);
    // A text stage's own estimate follows its answer (text-meter.ts) and is trusted. A media
    // stage's (its steps, a film's ffmpeg progress) extrapolates the pace so far, which is wild
    // while little is done (the first clip's start-up, ffmpeg's first frames) and good near the
    // end: with a history, it counts as far as the stage has come, the history for the rest.
    if (own === null) return usual;
    if (input.registry.get(stage)?.providerKind === 'text' || !input.durations[stage]?.length) return own;
    const done = Math.min(1, Math.max(0, (input.progressOf?.(task) ?? 100) / 100));
    return done * own + (1 - done) * usual;
  };

  const finish = new Map<StageName, number>();
  const finishOf = (stage: StageName): number => {
    const known = finish.get(stage);
    if (known !== undefined) return known;
    const task = byStage.get(stage);
    if (!task) return 0;
    const deps = input.registry.get(stage)?.dependsOn ?? [];
    const value = remaining(task) + Math.max(0, ...deps.map(finishOf));
    finish.set(stage, value);
    return value;
  };
  const eta = Math.max(...left.map((t) => finishOf(t.stage as StageName)));
  return Math.round(eta * 10) / 10;
}
