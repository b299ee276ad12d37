import { describe, expect, it } from 'vitest';
import {
  applyStageEvent,
  applyStageEvents,
  applyTaskEvent,
  createStageStream,
  createTaskState,
  refetchFor,
  seedStage,
  stageCursor,
  type ApplyResult,
  type StreamEvent,
  type TaskState,
} from '../../client/src/lib/stream/task-stream.ts';

type Output = { __typename: 'RewriteOutput'; text: string };
type Event = StreamEvent<Output>;

const TASK = 'task-1';

/** Builds a task's event log the way the server numbers it: seq 1, 2, 3, ... */
function log(taskId = TASK) {
  let seq = 0;
  let attempt = 1;
  const base = () => ({ seq: ++seq, taskId, attempt, at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString() });
  return {
    status: (status: 'QUEUED' | 'RUNNING' | 'RETRYING' | 'CANCELLED' | 'COMPLETED' | 'FAILED', message?: string): Event => ({
      ...base(),
      __typename: 'TaskStatusEvent',
      status,
      message: message ?? null,
    }),
    token: (delta: string): Event => ({ ...base(), __typename: 'TokenEvent', delta }),
    progress: (progress: number, step: number, totalSteps: number, etaSeconds: number): Event => ({
      ...base(),
      __typename: 'ProgressEvent',
      progress,
      step,
      totalSteps,
      etaSeconds,
      message: null,
    }),
    completed: (text: string): Event => ({ ...base(), __typename: 'CompletedEvent', output: { __typename: 'RewriteOutput', text } }),
    failed: (willRetry: boolean, retryInMs: number | null = null): Event => ({
      ...base(),
      __typename: 'FailedEvent',
      error: { code: 'PROVIDER_ERROR', message: 'upstream 503', retryable: willRetry },
      willRetry,
      retryInMs,
    }),
    nextAttempt: () => {
      attempt += 1;
    },
  };
}

/** Applies events in order; the result's outcome is `applied` if any of them was. */
function applyTaskEvents<O>(state: TaskState<O>, events: readonly StreamEvent<O>[]): ApplyResult<TaskState<O>> {
  let result: ApplyResult<TaskState<O>> = { state, outcome: 'duplicate', refetch: refetchFor(state), finished: false };
  let applied = false;
  let finished = false;
  for (const event of events) {
    result = applyTaskEvent(result.state, event);
    applied ||= result.outcome === 'applied';
    finished ||= result.finished;
  }
  return { ...result, outcome: applied ? 'applied' : result.outcome, finished };
}

function fold(events: Event[], state: TaskState<Output> = createTaskState<Output>({ id: TASK })) {
  return applyTaskEvents(state, events);
}

describe('task stream: one task', () => {
  it('assembles text from in-order token deltas', () => {
    const l = log();
    const { state, outcome, refetch } = fold([l.status('QUEUED'), l.status('RUNNING'), l.token('Once'), l.token(' upon'), l.token(' a time')]);
    expect(outcome).toBe('applied');
    expect(refetch).toBeNull();
    expect(state.text).toBe('Once upon a time');
    expect(state.status).toBe('RUNNING');
    expect(state.lastSeq).toBe(5);
    expect(state.done).toBe(false);
  });

  it('drops duplicates (seq <= lastSeq) without changing the state', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.status('RUNNING'), l.token('a'), l.token('b')];
    const first = fold(events).state;
    const again = applyTaskEvent(first, events[2]!);
    expect(again.outcome).toBe('duplicate');
    expect(again.state).toBe(first);
    // A whole replay of the log changes nothing either.
    const replayed = applyTaskEvents(first, events);
    expect(replayed.outcome).toBe('duplicate');
    expect(replayed.state.text).toBe('ab');
  });

  it('resumes after a cursor: a snapshot with Task.text plus the events after lastSeq', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.status('RUNNING'), l.token('你'), l.token('好'), l.token('，'), l.token('世界')];
    // The page opened mid-run: the query said lastSeq 4, text "你好".
    const seeded = createTaskState<Output>({ id: TASK, status: 'RUNNING', attempt: 1, lastSeq: 4, text: '你好', progress: 0 });
    // The subscription with after: 4 replays from seq 5; a server that replays a little
    // more than asked must not duplicate text either.
    const { state } = applyTaskEvents(seeded, events.slice(2));
    expect(state.text).toBe('你好，世界');
    expect(state.lastSeq).toBe(6);
  });

  it('detects a gap, holds later events back, and applies them once the gap is filled', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.status('RUNNING'), l.token('A'), l.token('B'), l.token('C'), l.token('D')];
    const start = fold(events.slice(0, 3)).state; // lastSeq 3, text "A"
    const gap = applyTaskEvent(start, events[5]!); // seq 6 arrives, 4 and 5 are missing
    expect(gap.outcome).toBe('gap');
    expect(gap.refetch).toEqual({ taskId: TASK, after: 3 });
    expect(gap.state.text).toBe('A');
    expect(gap.state.lastSeq).toBe(3);
    // The same held-back event again is a duplicate; the refetch is still wanted.
    const dup = applyTaskEvent(gap.state, events[5]!);
    expect(dup.outcome).toBe('duplicate');
    expect(dup.refetch).toEqual({ taskId: TASK, after: 3 });
    // Task.events(after: 3) returns 4, 5 and 6: all applied once, in order.
    const filled = applyTaskEvents(gap.state, events.slice(3));
    expect(filled.state.text).toBe('ABCD');
    expect(filled.state.lastSeq).toBe(6);
    expect(filled.state.pending).toEqual([]);
    expect(filled.refetch).toBeNull();
  });

  it('fills a gap partially and keeps asking for the rest', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.token('1'), l.token('2'), l.token('3'), l.token('4')];
    let state = fold(events.slice(0, 1)).state;
    state = applyTaskEvent(state, events[4]!).state; // hold 5
    const partial = applyTaskEvent(state, events[1]!); // 2 arrives, 3 and 4 still missing
    expect(partial.outcome).toBe('applied');
    expect(partial.state.text).toBe('1');
    expect(partial.refetch).toEqual({ taskId: TASK, after: 2 });
    const rest = applyTaskEvents(partial.state, [events[2]!, events[3]!]);
    expect(rest.state.text).toBe('1234');
    expect(rest.refetch).toBeNull();
  });

  it('starts the text afresh when a retry begins a new attempt', () => {
    const l = log();
    const first = fold([l.status('QUEUED'), l.status('RUNNING'), l.token('half a sen'), l.failed(true, 2000), l.status('RETRYING')]);
    expect(first.state.status).toBe('RETRYING');
    expect(first.state.willRetry).toBe(true);
    expect(first.state.retryInMs).toBe(2000);
    expect(first.state.error?.message).toBe('upstream 503');
    expect(first.state.done).toBe(false);
    expect(first.finished).toBe(false);

    l.nextAttempt();
    const second = applyTaskEvents(first.state, [l.status('RUNNING'), l.token('A whole'), l.token(' sentence.')]);
    expect(second.state.attempt).toBe(2);
    expect(second.state.text).toBe('A whole sentence.');
    expect(second.state.status).toBe('RUNNING');
    expect(second.state.willRetry).toBe(false);
  });

  it('keeps Chinese single-character deltas intact and in order', () => {
    const l = log();
    const chars = [...'从前有一座山，山里有一座庙。'];
    const { state } = fold([l.status('QUEUED'), l.status('RUNNING'), ...chars.map((c) => l.token(c))]);
    expect(state.text).toBe('从前有一座山，山里有一座庙。');
    expect([...state.text]).toHaveLength(chars.length);
  });

  it('keeps a surrogate pair split across deltas whole once both halves arrive', () => {
    const l = log();
    const emoji = '🎬';
    const { state } = fold([l.status('QUEUED'), l.token(emoji[0]!), l.token(emoji[1]!), l.token('开拍')]);
    expect(state.text).toBe('🎬开拍');
  });

  it('tracks progress, steps and ETA', () => {
    const l = log();
    const { state } = fold([l.status('QUEUED'), l.status('RUNNING'), l.progress(40, 2, 5, 12.5)]);
    expect(state.progress).toBe(40);
    expect(state.step).toBe(2);
    expect(state.totalSteps).toBe(5);
    expect(state.etaSeconds).toBe(12.5);
  });

  it('is done after a CompletedEvent, with its output', () => {
    const l = log();
    const result = fold([l.status('QUEUED'), l.status('RUNNING'), l.token('Hi'), l.completed('Hi')]);
    expect(result.state.done).toBe(true);
    expect(result.finished).toBe(true);
    expect(result.state.status).toBe('COMPLETED');
    expect(result.state.progress).toBe(100);
    expect(result.state.output).toEqual({ __typename: 'RewriteOutput', text: 'Hi' });
  });

  it('is done after a FailedEvent with willRetry false, and keeps the provider message', () => {
    const l = log();
    const result = fold([l.status('QUEUED'), l.status('RUNNING'), l.failed(false)]);
    expect(result.state.done).toBe(true);
    expect(result.finished).toBe(true);
    expect(result.state.status).toBe('FAILED');
    expect(result.state.willRetry).toBe(false);
    expect(result.state.error).toEqual({ code: 'PROVIDER_ERROR', message: 'upstream 503', retryable: false });
  });

  it('is done after a TaskStatusEvent CANCELLED', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.status('RUNNING'), l.token('x'), l.status('CANCELLED')];
    const cancelled = events[3]!;
    const result = fold(events);
    expect(result.state.done).toBe(true);
    expect(result.finished).toBe(true);
    expect(result.state.status).toBe('CANCELLED');
    // A replayed final event does not finish it twice.
    const replayed = applyTaskEvent(result.state, cancelled);
    expect(replayed.outcome).toBe('duplicate');
    expect(replayed.finished).toBe(false);
  });

  it('refuses an event of another task', () => {
    const other = log('task-2');
    expect(() => applyTaskEvent(createTaskState({ id: TASK }), other.status('QUEUED'))).toThrow();
  });
});

describe('stage stream: tasks of one stage', () => {
  it('follows a task from its first event and gives the cursor to resume from', () => {
    const l = log();
    let stage = createStageStream<Output>();
    expect(stageCursor(stage)).toBeUndefined();
    stage = applyStageEvents(stage, [l.status('QUEUED'), l.status('RUNNING'), l.token('Hello')]).state;
    expect(stage.current?.taskId).toBe(TASK);
    expect(stage.current?.text).toBe('Hello');
    expect(stageCursor(stage)).toBe(3);
  });

  it('lets a newer task replace the older one, and ignores the older one afterwards', () => {
    const a = log('task-a');
    const b = log('task-b');
    let stage = applyStageEvents(createStageStream<Output>(), [a.status('QUEUED'), a.status('RUNNING'), a.token('old')]).state;
    const lateA = a.status('CANCELLED');
    stage = applyStageEvents(stage, [b.status('QUEUED'), b.status('RUNNING'), b.token('new')]).state;
    expect(stage.current?.taskId).toBe('task-b');
    expect(stage.current?.text).toBe('new');
    expect(stage.retired).toContain('task-a');
    const stale = applyStageEvent(stage, lateA);
    expect(stale.outcome).toBe('stale');
    expect(stale.state.current?.text).toBe('new');
  });

  it('asks for the start of a newer task it joined mid-stream', () => {
    const a = log('task-a');
    const b = log('task-b');
    let stage = applyStageEvents(createStageStream<Output>(), [a.status('QUEUED'), a.completed('done')]).state;
    // After a reconnect the server replays the new task from the old cursor: seq 1–2 are missing.
    const bEvents = [b.status('QUEUED'), b.status('RUNNING'), b.token('新'), b.token('的')];
    const joined = applyStageEvent(stage, bEvents[2]!);
    expect(joined.outcome).toBe('gap');
    expect(joined.refetch).toEqual({ taskId: 'task-b', after: 0 });
    stage = applyStageEvents(joined.state, bEvents).state;
    expect(stage.current?.text).toBe('新的');
    expect(stage.current?.lastSeq).toBe(4);
  });

  it('seeds from latestTask, keeps its own view of the same task, and adopts a newer one', () => {
    const a = log('task-a');
    let stage = seedStage(createStageStream<Output>(), { id: 'task-a', status: 'RUNNING', lastSeq: 2, text: 'ab' });
    expect(stage.current?.text).toBe('ab');
    expect(stageCursor(stage)).toBe(2);
    a.status('QUEUED');
    a.status('RUNNING');
    stage = applyStageEvent(stage, a.token('c')).state;
    // A later snapshot of the same task does not overwrite the streamed view.
    stage = seedStage(stage, { id: 'task-a', status: 'RUNNING', lastSeq: 2, text: 'ab' });
    expect(stage.current?.text).toBe('abc');
    // A snapshot naming another task means a newer one started.
    stage = seedStage(stage, { id: 'task-b', status: 'QUEUED', lastSeq: 1, text: null });
    expect(stage.current?.taskId).toBe('task-b');
    expect(stage.current?.text).toBe('');
    expect(stage.retired).toEqual(['task-a']);
    // ...and the replaced task cannot come back through a stale snapshot.
    expect(seedStage(stage, { id: 'task-a', lastSeq: 9 }).current?.taskId).toBe('task-b');
  });

  it('marks a seeded finished task as done', () => {
    const stage = seedStage(createStageStream<Output>(), {
      id: 'task-a',
      status: 'COMPLETED',
      lastSeq: 9,
      output: { __typename: 'RewriteOutput', text: 'x' },
    });
    expect(stage.current?.done).toBe(true);
    expect(stage.current?.progress).toBe(100);
  });

  it('reports a task finishing only once across a stage', () => {
    const l = log();
    const events = [l.status('QUEUED'), l.status('RUNNING'), l.failed(false)];
    const first = applyStageEvents(createStageStream<Output>(), events);
    expect(first.finished).toBe(true);
    const replay = applyStageEvents(first.state, events);
    expect(replay.finished).toBe(false);
    expect(replay.outcome).toBe('duplicate');
  });
});
