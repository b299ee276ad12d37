// The dependency graph of a runPipeline call (each stage's `dependsOn`: REWRITE → STORYBOARD →
// IMAGE_GENERATION ∥ CAMERA_MOVEMENT → VIDEO_GENERATION, and NARRATION beside them; FILM
// after VIDEO_GENERATION and NARRATION). When one of its tasks ends: a task whose
// stages it waited for have all COMPLETED is ready to be enqueued; when one fails for good
// or is cancelled, every task downstream of it can never run. This file only decides; the
// lifecycle acts (enqueue, or end CANCELLED with a refund), and every action is idempotent,
// so racing workers are harmless.
import type { MikroORM } from '@mikro-orm/core';
import { Task, type TaskRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { StageName } from '../stages/names.ts';

export interface Pipeline {
  /** The tasks of the same runPipeline call. */
  siblings(pipelineId: string): Promise<TaskRow[]>;
  /** Whether a QUEUED task may be enqueued: it waits for nothing, or what it waits for completed. */
  isReady(task: TaskRow): Promise<boolean>;
  /** The task it waits for that failed for good or was cancelled, if any: it can never run. */
  blockerOf(task: TaskRow): Promise<TaskRow | null>;
}

/** What follows from a task of a pipeline having ended. */
export interface PipelineStep {
  /** Waiting tasks whose dependencies have now all completed. */
  ready: TaskRow[];
  /** Waiting tasks that can never run, and why. */
  blocked: TaskRow[];
  reason: string;
}

export const waitingOnOf = (task: Pick<TaskRow, 'waitingOn'>) => parseJson<StageName[]>(task.waitingOn) ?? [];

const readyAmong = (task: TaskRow, all: TaskRow[]) =>
  waitingOnOf(task).every((stage) => all.some((t) => t.stage === stage && t.status === 'COMPLETED'));

export function nextStep(ended: TaskRow, all: TaskRow[]): PipelineStep {
  const waiting = all.filter((t) => t.status === 'QUEUED' && waitingOnOf(t).length > 0);
  if (ended.status === 'COMPLETED') return { ready: waiting.filter((t) => readyAmong(t, all)), blocked: [], reason: '' };
  // Failed for good or cancelled: everything downstream, transitively.
  const blocked = new Set<string>([ended.stage]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const task of waiting) {
      if (!blocked.has(task.stage) && waitingOnOf(task).some((s) => blocked.has(s))) {
        blocked.add(task.stage);
        grew = true;
      }
    }
  }
  const verb = ended.status === 'FAILED' ? 'failed' : 'was cancelled';
  return {
    ready: [],
    blocked: waiting.filter((t) => blocked.has(t.stage) && t.stage !== ended.stage),
    reason: `Cancelled because ${ended.stage} ${verb}.`,
  };
}

export function createPipeline(deps: { orm: MikroORM }): Pipeline {
  const siblings = (pipelineId: string) => deps.orm.em.fork().find(Task, { pipelineId });
  return {
    siblings,
    async isReady(task) {
      if (!task.pipelineId || waitingOnOf(task).length === 0) return true;
      return readyAmong(task, await siblings(task.pipelineId));
    },
    async blockerOf(task) {
      const waitingOn = waitingOnOf(task);
      if (!task.pipelineId || waitingOn.length === 0) return null;
      return (await siblings(task.pipelineId)).find((t) => waitingOn.includes(t.stage as StageName) && (t.status === 'FAILED' || t.status === 'CANCELLED')) ?? null;
    },
  };
}
