/**
 * Follows every stage of one project live, whatever the transport, and keeps the
 * assembled view. Framework-free: the API and the connection are passed in.
 *
 * Open (and after every lost connection): query the project (each stage's newest task
 * with its text so far and its cursor `lastSeq`), seed the views, then subscribe to
 * `stageProgress(projectId, stage, after: lastSeq)` per stage. Missing events (a gap, a
 * task joined mid-stream) are fetched with `Task.events(after, first)`. When neither
 * WebSockets nor SSE work, the connection says so and the follower polls instead.
 */
import { STAGE_NAMES, type StageName } from '../stages.ts';
import type { Connection, ConnectionStatus, TransportMode } from '../transport/connection.ts';
import {
  applyStageEvent,
  applyStageEvents,
  createStageStream,
  refetchFor,
  seedStage,
  stageCursor,
  type RefetchRequest,
  type StageStreamState,
  type StreamEvent,
  type TaskErrorInfo,
  type TaskSnapshot,
  type TaskState,
  type TaskStatus,
} from './task-stream.ts';

export type StageStatus = 'IDLE' | 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface StageSnapshot<O> {
  name: StageName;
  status: StageStatus;
  output: O | null;
  error: TaskErrorInfo | null;
  latestTask: TaskSnapshot<O> | null;
}

export interface ProjectInfo {
  id: string;
  name: string;
  originalTopic: string | null;
  originalText: string | null;
  createdAt: string;
}

export interface ProjectSnapshot<O> extends ProjectInfo {
  stages: StageSnapshot<O>[];
}

export interface PolledStage {
  name: StageName;
  status: StageStatus;
  latestTask: { id: string; status: TaskStatus; lastSeq: number } | null;
}

export interface StreamSink<O> {
  next(event: StreamEvent<O>): void;
  error(error: unknown): void;
  /** The stream completed; `stageProgress` never does on its own, so this is a loss too. */
  end(): void;
}

/** What the follower needs from the API. `null` answers mean NOT_FOUND. */
export interface FollowerApi<O> {
  fetchProject(projectId: string): Promise<ProjectSnapshot<O> | null>;
  pollProject(projectId: string): Promise<PolledStage[] | null>;
  fetchEvents(taskId: string, after: number, first: number): Promise<StreamEvent<O>[] | null>;
  subscribeStage(args: { projectId: string; stage: StageName; after: number | undefined }, sink: StreamSink<O>): () => void;
}

export interface StageView<O> {
  readonly name: StageName;
  /** `ProjectStage.status` as last queried (IDLE until a task exists). */
  readonly stageStatus: StageStatus;
  /** Output of the newest completed task, as last queried. */
  readonly stageOutput: O | null;
  readonly stageError: TaskErrorInfo | null;
  readonly stream: StageStreamState<O>;
}

export type FollowerPhase = 'loading' | 'ready' | 'not-found';

export interface FollowerState<O> {
  readonly phase: FollowerPhase;
  readonly project: ProjectInfo | null;
  readonly stages: Readonly<Record<StageName, StageView<O>>>;
  /** The last error that stopped loading, for display; cleared once loaded. */
  readonly loadError: unknown;
}

export interface ProjectFollowerOptions<O> {
  projectId: string;
  api: FollowerApi<O>;
  connection: Pick<Connection, 'status' | 'onStatus' | 'retain' | 'reportOffline' | 'reportPoll'>;
  isUnauthorized: (error: unknown) => boolean;
  isNotFound: (error: unknown) => boolean;
  onUnauthorized: () => void;
  /** A task reached COMPLETED, FAILED or CANCELLED while watched (credits may have changed). */
  onTaskFinished?: (stage: StageName, task: TaskState<O>) => void;
  /** @default 1_500 */
  pollIntervalMs?: number;
  /** Events per `Task.events` page. @default 100 */
  pageSize?: number;
  /** Delay before the n-th consecutive resync attempt. @default exponential from 500 ms to 15 s, with jitter */
  backoff?: (attempt: number) => number;
}

export interface ProjectFollower<O> {
  readonly state: FollowerState<O>;
  /** Calls the listener now and on every change. */
  subscribe(listener: (state: FollowerState<O>) => void): () => void;
  start(): void;
  stop(): void;
  /** Starts views from tasks a mutation returned (executeStage, runPipeline, cancelTask). */
  seedTasks(tasks: readonly (TaskSnapshot<O> & { stage: StageName })[]): void;
  /** Re-queries now (e.g. after a mutation, when polling). */
  refresh(): void;
}

/**
 * Over SSE each stream is an HTTP/1.1 connection, and a browser opens at most six per server:
 * one stream per stage (seven) would leave none for queries and mutations. So at most this
 * many stages stream at once, the busiest first; the others are polled until a slot is free.
 */
const MAX_SSE_STREAMS = 4;

function defaultBackoff(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function emptyStages<O>(): Record<StageName, StageView<O>> {
  const stages = {} as Record<StageName, StageView<O>>;
  for (const name of STAGE_NAMES) {
    stages[name] = { name, stageStatus: 'IDLE', stageOutput: null, stageError: null, stream: createStageStream<O>() };
  }
  return stages;
}

export function createProjectFollower<O>(options: ProjectFollowerOptions<O>): ProjectFollower<O> {
  const { projectId, api, connection } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_500;
  const pageSize = options.pageSize ?? 100;
  const backoff = options.backoff ?? defaultBackoff;

  let state: FollowerState<O> = { phase: 'loading', project: null, stages: emptyStages<O>(), loadError: null };
  const listeners = new Set<(state: FollowerState<O>) => void>();
  /** Bumped by every resync; callbacks of older streams and polls are ignored. */
  let generation = 0;
  let streamMode: TransportMode | null = null;
  const streams = new Map<StageName, () => void>();
  const fills = new Map<string, Promise<void>>();
  let resyncTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let running = false;
  let release: (() => void) | null = null;
  let offStatus: (() => void) | null = null;

  function emit(): void {
    for (const listener of listeners) listener(state);
  }

  function updateStage(name: StageName, patch: Partial<StageView<O>>): void {
    state = { ...state, stages: { ...state.stages, [name]: { ...state.stages[name], ...patch } } };
  }

  function closeStreams(): void {
    for (const unsubscribe of streams.values()) unsubscribe();
    streams.clear();
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }

  function failed(error: unknown): boolean {
    if (options.isUnauthorized(error)) {
      options.onUnauthorized();
      return true;
    }
    if (options.isNotFound(error)) {
      notFound();
      return true;
    }
    return false;
  }

  function notFound(): void {
    generation += 1;
    closeStreams();
    state = { ...state, phase: 'not-found' };
    emit();
  }

  function scheduleResync(delay = backoff(attempts)): void {
    if (!running || state.phase === 'not-found') return;
    if (resyncTimer !== undefined) return; // one resync at a time, however many streams failed
    attempts += 1;
    resyncTimer = setTimeout(() => {
      resyncTimer = undefined;
      void resync();
    }, delay);
  }

  async function resync(): Promise<void> {
    const gen = ++generation;
    closeStreams();
    let snapshot: ProjectSnapshot<O> | null;
    try {
      snapshot = await api.fetchProject(projectId);
    } catch (error) {
      if (gen !== generation || !running) return;
      if (failed(error)) return;
      connection.reportOffline();
      state = { ...state, loadError: error };
      emit();
      scheduleResync();
      return;
    }
    if (gen !== generation || !running) return;
    if (snapshot === null) return notFound();

    const { stages: stageSnapshots, ...project } = snapshot;
    state = { ...state, phase: 'ready', project, loadError: null };
    for (const s of stageSnapshots) {
      const view = state.stages[s.name];
      if (!view) continue;
      updateStage(s.name, {
        stageStatus: s.status,
        stageOutput: s.output,
        stageError: s.error,
        stream: seedStage(view.stream, s.latestTask),
      });
    }
    emit();

    streamMode = connection.status.mode;
    if (streamMode === 'polling') {
      void poll(gen);
    } else {
      syncStreams(gen);
      if (streamMode === 'sse') void poll(gen);
    }
    // Views kept across the resync may still miss events.
    for (const name of STAGE_NAMES) {
      const current = state.stages[name].stream.current;
      const refetch = current ? refetchFor(current) : null;
      if (refetch) fill(name, refetch);
    }
  }

  /** The stages to stream: all of them over WebSocket; over SSE the busiest few (running, then queued). */
  function wantedStreams(): StageName[] {
    if (streamMode !== 'sse') return [...STAGE_NAMES];
    const rank = (name: StageName) => {
      const status = state.stages[name].stream.current?.status ?? state.stages[name].stageStatus;
      return status === 'RUNNING' || status === 'RETRYING' ? 0 : status === 'QUEUED' ? 1 : 2;
    };
    return [...STAGE_NAMES].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_SSE_STREAMS);
  }

  /** Opens the streams wanted now and closes the others (their stages are polled). */
  function syncStreams(gen: number): void {
    const wanted = new Set(wantedStreams());
    for (const [name, unsubscribe] of streams) {
      if (!wanted.has(name)) {
        unsubscribe();
        streams.delete(name);
      }
    }
    for (const name of wanted) if (!streams.has(name)) openStream(name, gen);
  }

  function openStream(name: StageName, gen: number): void {
    const after = stageCursor(state.stages[name].stream);
    const unsubscribe = api.subscribeStage(
      { projectId, stage: name, after },
      {
        next: (event) => {
          if (gen === generation) onEvents(name, [event]);
        },
        error: (error) => {
          if (gen !== generation) return;
          if (!failed(error)) scheduleResync();
        },
        end: () => {
          if (gen === generation) scheduleResync();
        },
      },
    );
    streams.set(name, unsubscribe);
  }

  function onEvents(name: StageName, events: readonly StreamEvent<O>[]): RefetchRequest | null {
    const view = state.stages[name];
    const before = view.stream.current;
    const result = events.length === 1 ? applyStageEvent(view.stream, events[0]!) : applyStageEvents(view.stream, events);
    if (result.state !== view.stream) {
      updateStage(name, { stream: result.state });
      emit();
    }
    const current = result.state.current;
    if (result.finished && current) {
      options.onTaskFinished?.(name, current);
    }
    if (before?.taskId !== current?.taskId || result.outcome === 'applied') attempts = 0;
    if (result.refetch) fill(name, result.refetch);
    return result.refetch;
  }

  /** Fetches a task's events after `after`, page by page, until the view has caught up. */
  function fill(name: StageName, request: RefetchRequest): void {
    if (fills.has(request.taskId) || !running) return;
    const job = (async () => {
      let cursor = request.after;
      for (;;) {
        const events = await api.fetchEvents(request.taskId, cursor, pageSize);
        if (!running || !events || events.length === 0) return;
        onEventsQuietly(name, events);
        const current = state.stages[name].stream.current;
        if (current?.taskId !== request.taskId) return;
        const last = events[events.length - 1]!.seq;
        if (events.length < pageSize || last <= cursor) return;
        cursor = Math.max(current.lastSeq, last);
      }
    })()
      .catch((error: unknown) => {
        if (running && !options.isUnauthorized(error)) connection.reportOffline();
        else if (running) options.onUnauthorized();
      })
      .finally(() => {
        fills.delete(request.taskId);
        const current = state.stages[name].stream.current;
        // Still missing events (not yet readable, or the request failed): try again soon.
        const again = current?.taskId === request.taskId ? refetchFor(current) : null;
        if (running && again) setTimeout(() => fill(name, again), 1_000);
      });
    fills.set(request.taskId, job);
  }

  /** Applies fetched events without starting another fill for the same task. */
  function onEventsQuietly(name: StageName, events: readonly StreamEvent<O>[]): void {
    const view = state.stages[name];
    const result = applyStageEvents(view.stream, events);
    if (result.state !== view.stream) {
      updateStage(name, { stream: result.state });
      emit();
    }
    if (result.finished && result.state.current) options.onTaskFinished?.(name, result.state.current);
  }

  async function poll(gen: number): Promise<void> {
    try {
      const stages = await api.pollProject(projectId);
      if (gen !== generation || !running) return;
      if (stages === null) return notFound();
      connection.reportPoll(true);
      attempts = 0;
      for (const s of stages) {
        const view = state.stages[s.name];
        if (!view) continue;
        if (view.stageStatus !== s.status) {
          updateStage(s.name, { stageStatus: s.status });
          emit();
        }
        const latest = s.latestTask;
        if (!latest) continue;
        const current = view.stream.current;
        if (current?.taskId !== latest.id) {
          if (view.stream.retired.includes(latest.id)) continue;
          // A task we have not seen: read its whole log.
          updateStage(s.name, { stream: seedStage(view.stream, { id: latest.id }) });
          emit();
          fill(s.name, { taskId: latest.id, after: 0 });
        } else if (latest.lastSeq > current.lastSeq) {
          fill(s.name, { taskId: latest.id, after: current.lastSeq });
        }
      }
    } catch (error) {
      if (gen !== generation || !running) return;
      if (failed(error)) return;
      connection.reportPoll(false);
    }
    // Over SSE, polling covers the stages that have no stream, and moves the streams to the busiest.
    if (gen === generation && running && streamMode === 'sse') syncStreams(gen);
    if (gen === generation && running && (streamMode === 'polling' || streamMode === 'sse')) {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(() => void poll(gen), pollIntervalMs);
    }
  }

  function onStatus(status: ConnectionStatus): void {
    if (!running || streamMode === null) return;
    if (status.state === 'online') attempts = 0;
    if (status.mode !== streamMode) {
      // A better transport works again, or the current one gave up: move the streams.
      clearTimeout(resyncTimer);
      resyncTimer = undefined;
      attempts = 0;
      scheduleResync(0);
    }
  }

  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(state);
      return () => listeners.delete(listener);
    },
    start() {
      if (running) return;
      running = true;
      release = connection.retain();
      offStatus = connection.onStatus(onStatus);
      void resync();
    },
    stop() {
      running = false;
      generation += 1;
      closeStreams();
      clearTimeout(resyncTimer);
      resyncTimer = undefined;
      offStatus?.();
      release?.();
      offStatus = release = null;
    },
    seedTasks(tasks) {
      let changed = false;
      for (const task of tasks) {
        const view = state.stages[task.stage];
        if (!view) continue;
        const stream = seedStage(view.stream, task);
        if (stream !== view.stream) {
          updateStage(task.stage, { stream });
          changed = true;
        }
      }
      if (changed) emit();
    },
    refresh() {
      if (!running) return;
      if (streamMode === 'polling') {
        clearTimeout(pollTimer);
        void poll(generation);
      }
    },
  };
}
