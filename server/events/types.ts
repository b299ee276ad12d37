// The events of a task's log. This is what Redis stores and publishes, and what the
// database archives: deltas only. TokenEvent.fullText is assembled by the API (see follow-task.ts).
import type { StageName, TaskStatus } from '../stages/names.ts';
import type { StageOutput, TaskErrorInfo } from '../stages/outputs.ts';

export interface EventBase {
  seq: number;
  attempt: number;
  taskId: string;
  projectId: string;
  stage: StageName;
  /** ISO 8601. */
  at: string;
  /** The provider and model at work when the event was written (worker events). */
  provider?: string | null;
  model?: string | null;
}

export type EventBody =
  | { type: 'status'; status: TaskStatus; message?: string | null }
  | { type: 'token'; delta: string }
  | {
      type: 'progress';
      progress: number;
      step?: number | null;
      totalSteps?: number | null;
      message?: string | null;
      etaSeconds?: number | null;
      tokensPerSecond?: number | null;
    }
  | { type: 'completed'; output: StageOutput; cached?: boolean }
  | { type: 'failed'; error: TaskErrorInfo; willRetry: boolean; retryInMs?: number | null };

export type StageEventData = EventBase & EventBody;

/** The event a subscriber receives: token events carry the attempt's text so far when it was asked for. */
export type DeliveredEvent = StageEventData & { fullText?: string };

/** The last event of a task's log. */
export function isFinalEvent(e: EventBody): boolean {
  return (
    e.type === 'completed' ||
    (e.type === 'failed' && !e.willRetry) ||
    (e.type === 'status' && e.status === 'CANCELLED')
  );
}
