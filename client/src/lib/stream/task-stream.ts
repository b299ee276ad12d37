/**
 * Assembles a task's live view from its event log.
 *
 * Pure and framework-free: every function takes a state and returns a new one, so the
 * same code serves WebSocket, SSE and polling, and the tests need no DOM or network.
 *
 * Rules (see shared/api/README.md, "Tasks and events"):
 * - `seq` starts at 1 and grows by exactly 1 per task; an event with `seq <= lastSeq`
 *   is a duplicate (a replay after a reconnect) and is dropped.
 * - An event with `seq > lastSeq + 1` means events are missing: it is held back in
 *   `pending` and the caller is told to refetch `Task.events(after: lastSeq)`. Once the
 *   missing events arrive, the held-back ones are applied in order.
 * - Text is built from `TokenEvent.delta` only; a higher `attempt` starts it afresh.
 * - The last event of a task is a `CompletedEvent`, a `FailedEvent` with
 *   `willRetry: false`, or a `TaskStatusEvent` CANCELLED.
 * - Per stage, a newer task replaces the older one's view; late events of a replaced
 *   task are ignored.
 */

export type TaskStatus = 'QUEUED' | 'RUNNING' | 'RETRYING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export interface TaskErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}

/** Fields every event carries (the `StageEvent` interface). */
interface EventBase {
  seq: number;
  taskId: string;
  attempt: number;
  /** ISO timestamp of the event. */
  at?: unknown;
}

export interface TaskStatusEventData extends EventBase {
  __typename: 'TaskStatusEvent';
  status: TaskStatus;
  message?: string | null;
}

export interface TokenEventData extends EventBase {
  __typename: 'TokenEvent';
  delta: string;
}

export interface ProgressEventData extends EventBase {
  __typename: 'ProgressEvent';
  progress: number;
  step?: number | null;
  totalSteps?: number | null;
  message?: string | null;
  etaSeconds?: number | null;
  tokensPerSecond?: number | null;
}

export interface CompletedEventData<O> extends EventBase {
  __typename: 'CompletedEvent';
  output: O;
}

export interface FailedEventData extends EventBase {
  __typename: 'FailedEvent';
  error: TaskErrorInfo;
  willRetry: boolean;
  retryInMs?: number | null;
}

/** One event of a task's log, as selected by the client (no `fullText`: text comes from deltas). */
export type StreamEvent<O = unknown> =
  | TaskStatusEventData
  | TokenEventData
  | ProgressEventData
  | CompletedEventData<O>
  | FailedEventData;

/** What the client knows about a task from a query (`Task` fields), used to start a view mid-run. */
export interface TaskSnapshot<O = unknown> {
  id: string;
  status?: TaskStatus;
  attempt?: number;
  maxAttempts?: number;
  progress?: number;
  message?: string | null;
  /** The cursor: events with `seq <= lastSeq` are already reflected in this snapshot. */
  lastSeq?: number;
  /** Text of the current attempt so far (`Task.text`). */
  text?: string | null;
  error?: TaskErrorInfo | null;
  output?: O | null;
  createdAt?: unknown;
}

export interface TaskState<O = unknown> {
  readonly taskId: string;
  readonly attempt: number;
  readonly maxAttempts: number | null;
  readonly status: TaskStatus;
  /** Text of the current attempt, assembled from deltas. */
  readonly text: string;
  /** 0 to 100. */
  readonly progress: number;
  readonly step: number | null;
  readonly totalSteps: number | null;
  readonly etaSeconds: number | null;
  /** Text stages: model tokens per second of the current attempt. */
  readonly tokensPerSecond: number | null;
  /** The last steps of the run, oldest first (the step log): status changes, steps, failures. */
  readonly log: readonly StepLogEntry[];
  readonly message: string | null;
  readonly error: TaskErrorInfo | null;
  /** From the last FailedEvent: whether the task will run again, and when. */
  readonly willRetry: boolean;
  readonly retryInMs: number | null;
  readonly output: O | null;
  /** seq of the newest event applied: the cursor to resume from. */
  readonly lastSeq: number;
  /** True once the status is final (COMPLETED, FAILED or CANCELLED). */
  readonly done: boolean;
  /** Events received ahead of a gap, ascending by seq, applied once the gap is filled. */
  readonly pending: readonly StreamEvent<O>[];
  /** When the task was created (snapshot) or its first event's time, for ordering tasks. */
  readonly startedAt: string | null;
}

/** One line of a task's step log. */
export interface StepLogEntry {
  seq: number;
  at: string;
  attempt: number;
  kind: 'status' | 'step' | 'failed';
  status?: TaskStatus;
  message?: string | null;
  step?: number | null;
  totalSteps?: number | null;
  error?: TaskErrorInfo;
  willRetry?: boolean;
  retryInMs?: number | null;
}

/** Lines the step log keeps. */
export const STEP_LOG_SIZE = 12;

function logged(log: readonly StepLogEntry[], entry: StepLogEntry): readonly StepLogEntry[] {
  // A status event and the CompletedEvent after it say the same thing once.
  const last = log.at(-1);
  if (last && entry.kind === 'status' && last.kind === 'status' && last.status === entry.status && last.attempt === entry.attempt) return log;
  const next = [...log, entry];
  return next.length > STEP_LOG_SIZE ? next.slice(next.length - STEP_LOG_SIZE) : next;
}

/** The step-log line an event adds, if any (a text stage's speed ticks add none). */
function logEntryOf(event: StreamEvent<unknown>, previous: { step: number | null; message: string | null }): StepLogEntry | null {
  const base = { seq: event.seq, at: timeOf(event.at) ?? '', attempt: event.attempt };
  switch (event.__typename) {
    case 'TaskStatusEvent':
      return { ...base, kind: 'status', status: event.status, message: event.message ?? null };
    case 'ProgressEvent': {
      const changed = (event.step != null && event.step !== previous.step) || (event.message != null && event.message !== previous.message);
      return changed ? { ...base, kind: 'step', step: event.step ?? null, totalSteps: event.totalSteps ?? null, message: event.message ?? null } : null;
    }
    case 'CompletedEvent':
      return { ...base, kind: 'status', status: 'COMPLETED' };
    case 'FailedEvent':
      return { ...base, kind: 'failed', error: event.error, willRetry: event.willRetry, retryInMs: event.retryInMs ?? null };
    default:
      return null;
  }
}

/**
 * - `applied`: the event (and maybe held-back ones after it) changed the state.
 * - `duplicate`: already seen (`seq <= lastSeq` or already held back); dropped.
 * - `gap`: held back; events between `lastSeq` and it are missing.
 * - `stale`: belongs to a task this stage has already replaced; dropped.
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'gap' | 'stale';

/** Missing events to fetch with `Task.events(after, first)`. */
export interface RefetchRequest {
  taskId: string;
  after: number;
}

export interface ApplyResult<S> {
  state: S;
  outcome: ApplyOutcome;
  /** Set while events are missing: fetch them and feed them back in. */
  refetch: RefetchRequest | null;
  /** True when this call turned the task final. */
  finished: boolean;
}

export function isFinalStatus(status: TaskStatus): boolean {
  return FINAL_STATUSES.has(status);
}

function timeOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A view of a task known only by id (lastSeq 0), or started from a query snapshot. */
export function createTaskState<O = unknown>(snapshot: TaskSnapshot<O>): TaskState<O> {
  const status = snapshot.status ?? 'QUEUED';
  return {
    taskId: snapshot.id,
    attempt: snapshot.attempt ?? 1,
    maxAttempts: snapshot.maxAttempts ?? null,
    status,
    text: snapshot.text ?? '',
    progress: snapshot.progress ?? (status === 'COMPLETED' ? 100 : 0),
    step: null,
    totalSteps: null,
    etaSeconds: null,
    tokensPerSecond: null,
    log: [],
    message: snapshot.message ?? null,
    error: snapshot.error ?? null,
    willRetry: status === 'RETRYING',
    retryInMs: null,
    output: snapshot.output ?? null,
    lastSeq: snapshot.lastSeq ?? 0,
    done: isFinalStatus(status),
    pending: [],
    startedAt: timeOf(snapshot.createdAt),
  };
}

/** Folds one in-order event into the state. */
function reduce<O>(state: TaskState<O>, event: StreamEvent<O>): TaskState<O> {
  let next: TaskState<O> = { ...state, lastSeq: event.seq };
  if (state.startedAt === null && event.seq === 1) next = { ...next, startedAt: timeOf(event.at) };
  if (event.attempt > state.attempt) {
    // A new attempt writes its text from scratch; the previous attempt's error stays
    // visible until this attempt fails or succeeds.
    next = {
      ...next,
      attempt: event.attempt,
      text: '',
      progress: 0,
      step: null,
      totalSteps: null,
      etaSeconds: null,
      tokensPerSecond: null,
      willRetry: false,
      retryInMs: null,
    };
  }
  const entry = logEntryOf(event as StreamEvent<unknown>, { step: state.step, message: state.message });
  if (entry) next = { ...next, log: logged(next.log, entry) };
  switch (event.__typename) {
    case 'TaskStatusEvent':
      next = { ...next, status: event.status, message: event.message ?? next.message };
      if (event.status === 'COMPLETED') next = { ...next, progress: 100, etaSeconds: null };
      if (event.status === 'RUNNING') next = { ...next, willRetry: false, retryInMs: null };
      break;
    case 'TokenEvent':
      next = { ...next, text: next.text + event.delta };
      break;
    case 'ProgressEvent':
      next = {
        ...next,
        progress: event.progress,
        step: event.step ?? next.step,
        totalSteps: event.totalSteps ?? next.totalSteps,
        etaSeconds: event.etaSeconds ?? null,
        tokensPerSecond: event.tokensPerSecond ?? next.tokensPerSecond,
        message: event.message ?? next.message,
      };
      break;
    case 'CompletedEvent':
      next = {
        ...next,
        status: 'COMPLETED',
        output: event.output,
        progress: 100,
        etaSeconds: null,
        error: null,
        willRetry: false,
        retryInMs: null,
      };
      break;
    case 'FailedEvent':
      next = {
        ...next,
        error: event.error,
        willRetry: event.willRetry,
        retryInMs: event.willRetry ? (event.retryInMs ?? null) : null,
        etaSeconds: null,
        status: event.willRetry ? 'RETRYING' : 'FAILED',
      };
      break;
  }
  return { ...next, done: isFinalStatus(next.status) };
}

function insertPending<O>(pending: readonly StreamEvent<O>[], event: StreamEvent<O>): StreamEvent<O>[] | null {
  if (pending.some((e) => e.seq === event.seq)) return null;
  return [...pending, event].sort((a, b) => a.seq - b.seq);
}

/** The refetch needed for this state, if events are missing. */
export function refetchFor(state: TaskState<unknown>): RefetchRequest | null {
  return state.pending.length > 0 ? { taskId: state.taskId, after: state.lastSeq } : null;
}

/** Applies one event of this task (its `taskId` must match the state's). */
export function applyTaskEvent<O>(state: TaskState<O>, event: StreamEvent<O>): ApplyResult<TaskState<O>> {
  if (event.taskId !== state.taskId) {
    throw new Error(`Event of task ${event.taskId} applied to task ${state.taskId}`);
  }
  const wasDone = state.done;
  if (event.seq <= state.lastSeq) {
    return { state, outcome: 'duplicate', refetch: refetchFor(state), finished: false };
  }
  if (event.seq > state.lastSeq + 1) {
    const pending = insertPending(state.pending, event);
    if (pending === null) return { state, outcome: 'duplicate', refetch: refetchFor(state), finished: false };
    const held = { ...state, pending };
    return { state: held, outcome: 'gap', refetch: refetchFor(held), finished: false };
  }
  let next = reduce(state, event);
  // Drain held-back events that are now contiguous.
  let pending = next.pending.filter((e) => e.seq > next.lastSeq);
  while (pending.length > 0 && pending[0]!.seq === next.lastSeq + 1) {
    next = reduce(next, pending[0]!);
    pending = pending.slice(1);
  }
  next = { ...next, pending };
  return { state: next, outcome: 'applied', refetch: refetchFor(next), finished: next.done && !wasDone };
}

/** The view of one stage: its current (newest) task, and the tasks it has replaced. */
export interface StageStreamState<O = unknown> {
  readonly current: TaskState<O> | null;
  /** Ids of replaced tasks; their late events are ignored. */
  readonly retired: readonly string[];
}

export function createStageStream<O = unknown>(): StageStreamState<O> {
  return { current: null, retired: [] };
}

/** How many replaced task ids a stage remembers. */
const RETIRED_LIMIT = 50;

function retire<O>(stage: StageStreamState<O>, current: TaskState<O>): StageStreamState<O> {
  const retired = stage.current ? [stage.current.taskId, ...stage.retired].slice(0, RETIRED_LIMIT) : stage.retired;
  return { current, retired };
}

/** The cursor to resume this stage's subscription from (`stageProgress(after:)`). */
export function stageCursor(stage: StageStreamState<unknown>): number | undefined {
  return stage.current ? stage.current.lastSeq : undefined;
}

/**
 * Starts or updates the stage's view from a query snapshot of its newest task.
 *
 * - Same task as the current view: kept as is; the event stream (resumed from the
 *   view's own cursor) brings it up to date without trusting two sources of text.
 * - A task this stage already replaced: ignored.
 * - Another task: the snapshot is newer (it is `latestTask`), so it replaces the view.
 */
export function seedStage<O>(stage: StageStreamState<O>, snapshot: TaskSnapshot<O> | null | undefined): StageStreamState<O> {
  if (!snapshot) return stage;
  if (stage.current?.taskId === snapshot.id) return stage;
  if (stage.retired.includes(snapshot.id)) return stage;
  return retire(stage, createTaskState(snapshot));
}

/** Applies an event of any task of this stage. */
export function applyStageEvent<O>(stage: StageStreamState<O>, event: StreamEvent<O>): ApplyResult<StageStreamState<O>> {
  const current = stage.current;
  if (current && current.taskId === event.taskId) {
    const result = applyTaskEvent(current, event);
    const state = result.state === current ? stage : { ...stage, current: result.state };
    return { ...result, state };
  }
  if (stage.retired.includes(event.taskId)) {
    return { state: stage, outcome: 'stale', refetch: null, finished: false };
  }
  // An event of a task older than the current one (it started before the current task
  // was created) cannot replace it.
  const at = timeOf(event.at);
  if (current?.startedAt && at && Date.parse(at) < Date.parse(current.startedAt)) {
    return { state: stage, outcome: 'stale', refetch: null, finished: false };
  }
  // A task we have not seen: newer than the current one, so it takes over the view.
  const result = applyTaskEvent(createTaskState<O>({ id: event.taskId }), event);
  return { ...result, state: retire(stage, result.state) };
}

/** Applies events (e.g. a page of `Task.events`) in order. */
export function applyStageEvents<O>(
  stage: StageStreamState<O>,
  events: readonly StreamEvent<O>[],
): ApplyResult<StageStreamState<O>> {
  let result: ApplyResult<StageStreamState<O>> = {
    state: stage,
    outcome: 'duplicate',
    refetch: stage.current ? refetchFor(stage.current) : null,
    finished: false,
  };
  let applied = false;
  let finished = false;
  for (const event of events) {
    result = applyStageEvent(result.state, event);
    applied ||= result.outcome === 'applied';
    finished ||= result.finished;
  }
  return { ...result, outcome: applied ? 'applied' : result.outcome, finished };
}
