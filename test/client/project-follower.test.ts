import { describe, expect, it, vi } from 'vitest';
import { STAGE_NAMES, type StageName } from '../../client/src/lib/stages.ts';
import type { ConnectionStatus } from '../../client/src/lib/transport/connection.ts';
import {
  createProjectFollower,
  type FollowerApi,
  type ProjectSnapshot,
  type StreamSink,
} from '../../client/src/lib/stream/project-follower.ts';
import type { StreamEvent, TaskStatus } from '../../client/src/lib/stream/task-stream.ts';

type Output = { __typename: 'RewriteOutput'; text: string };
type Event = StreamEvent<Output>;

/** A fake server: one REWRITE task whose log the test appends to. */
function fakeServer(taskId = 'task-1') {
  const log: Event[] = [];
  let status: TaskStatus = 'QUEUED';
  const subscriptions: { stage: StageName; after: number | undefined; sink: StreamSink<Output>; closed: boolean }[] = [];
  const fetches: { taskId: string; after: number }[] = [];

  const textUpTo = (seq: number) =>
    log
      .filter((e) => e.seq <= seq)
      .map((e) => (e.__typename === 'TokenEvent' ? e.delta : ''))
      .join('');

  function append(fields: Partial<Event> & Pick<Event, '__typename'>, deliver = true): Event {
    const event = { seq: log.length + 1, taskId, attempt: 1, at: new Date().toISOString(), ...fields } as Event;
    log.push(event);
    if (event.__typename === 'TaskStatusEvent') status = event.status;
    if (event.__typename === 'CompletedEvent') status = 'COMPLETED';
    if (deliver) for (const s of subscriptions) if (!s.closed && s.stage === 'REWRITE') s.sink.next(event);
    return event;
  }

  const snapshot = (): ProjectSnapshot<Output> => ({
    id: 'p1',
    name: 'Project',
    originalTopic: 'topic',
    originalText: null,
    createdAt: new Date().toISOString(),
    stages: STAGE_NAMES.map((name) => ({
      name,
      status: name === 'REWRITE' && log.length > 0 ? 'RUNNING' : 'IDLE',
      output: null,
      error: null,
      latestTask:
        name === 'REWRITE' && log.length > 0
          ? { id: taskId, status, attempt: 1, progress: 0, lastSeq: log.length, text: textUpTo(log.length) }
          : null,
    })),
  });

  const api: FollowerApi<Output> = {
    fetchProject: async () => snapshot(),
    pollProject: async () =>
      snapshot().stages.map((s) => ({
        name: s.name,
        status: s.status,
        latestTask: s.latestTask ? { id: s.latestTask.id, status: s.latestTask.status!, lastSeq: s.latestTask.lastSeq! } : null,
      })),
    fetchEvents: async (id, after, first) => {
      fetches.push({ taskId: id, after });
      return log.filter((e) => e.seq > after).slice(0, first);
    },
    subscribeStage: ({ stage, after }, sink) => {
      const sub = { stage, after, sink, closed: false };
      subscriptions.push(sub);
      // The server replays the newest active task's log after the cursor.
      if (stage === 'REWRITE') for (const e of log.filter((e) => e.seq > (after ?? 0))) sink.next(e);
      return () => {
        sub.closed = true;
      };
    },
  };

  return { api, log, append, subscriptions, fetches, textUpTo };
}

function fakeConnection(mode: ConnectionStatus['mode'] = 'ws') {
  let status: ConnectionStatus = { mode, state: 'connecting' };
  const listeners = new Set<(s: ConnectionStatus) => void>();
  return {
    get status() {
      return status;
    },
    set(next: ConnectionStatus) {
      status = next;
      for (const l of listeners) l(status);
    },
    onStatus(l: (s: ConnectionStatus) => void) {
      listeners.add(l);
      l(status);
      return () => listeners.delete(l);
    },
    retain: () => () => {},
    reportOffline: vi.fn(),
    reportPoll: vi.fn(),
  };
}

function follow(server: ReturnType<typeof fakeServer>, connection = fakeConnection()) {
  const follower = createProjectFollower<Output>({
    projectId: 'p1',
    api: server.api,
    connection,
    isUnauthorized: () => false,
    isNotFound: () => false,
    onUnauthorized: () => {},
    backoff: () => 0,
    pollIntervalMs: 10,
  });
  follower.start();
  return follower;
}

const rewrite = (f: ReturnType<typeof follow>) => f.state.stages.REWRITE.stream.current;

describe('project follower', () => {
  it('opens mid-run with the text so far, then subscribes after lastSeq', async () => {
    const server = fakeServer();
    server.append({ __typename: 'TaskStatusEvent', status: 'QUEUED' });
    server.append({ __typename: 'TaskStatusEvent', status: 'RUNNING' });
    for (const c of '故事开始') server.append({ __typename: 'TokenEvent', delta: c });

    const follower = follow(server);
    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('故事开始'));
    const sub = server.subscriptions.find((s) => s.stage === 'REWRITE')!;
    expect(sub.after).toBe(6);

    server.append({ __typename: 'TokenEvent', delta: '了' });
    expect(rewrite(follower)?.text).toBe('故事开始了');
    follower.stop();
  });

  it('resumes from its own cursor after a lost connection, without duplicates or holes', async () => {
    const server = fakeServer();
    const follower = follow(server);
    await vi.waitFor(() => expect(server.subscriptions.length).toBe(STAGE_NAMES.length));
    server.append({ __typename: 'TaskStatusEvent', status: 'QUEUED' });
    server.append({ __typename: 'TaskStatusEvent', status: 'RUNNING' });
    server.append({ __typename: 'TokenEvent', delta: 'Once' });

    // The connection drops; meanwhile the task goes on.
    for (const s of server.subscriptions) s.closed = true;
    server.subscriptions.find((s) => s.stage === 'REWRITE')!.sink.error(new Error('socket closed'));
    server.append({ __typename: 'TokenEvent', delta: ' upon' }, false);
    server.append({ __typename: 'TokenEvent', delta: ' a time' }, false);

    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('Once upon a time'));
    const resumed = server.subscriptions.filter((s) => !s.closed && s.stage === 'REWRITE');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.after).toBe(3);
    server.append({ __typename: 'CompletedEvent', output: { __typename: 'RewriteOutput', text: 'Once upon a time' } });
    expect(rewrite(follower)?.done).toBe(true);
    follower.stop();
  });

  it('fetches missing events with Task.events when the stream skips some', async () => {
    const server = fakeServer();
    const follower = follow(server);
    await vi.waitFor(() => expect(server.subscriptions.length).toBe(STAGE_NAMES.length));
    server.append({ __typename: 'TaskStatusEvent', status: 'QUEUED' });
    server.append({ __typename: 'TokenEvent', delta: 'A' }, false); // lost in transit
    server.append({ __typename: 'TokenEvent', delta: 'B' }, false); // lost in transit
    server.append({ __typename: 'TokenEvent', delta: 'C' });

    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('ABC'));
    expect(server.fetches[0]).toEqual({ taskId: 'task-1', after: 1 });
    follower.stop();
  });

  it('polls Task.events when no live transport works', async () => {
    const server = fakeServer();
    const connection = fakeConnection('polling');
    const follower = follow(server, connection);
    await vi.waitFor(() => expect(connection.reportPoll).toHaveBeenCalledWith(true));
    expect(server.subscriptions).toHaveLength(0);

    server.append({ __typename: 'TaskStatusEvent', status: 'QUEUED' }, false);
    for (const c of '从前有座山') server.append({ __typename: 'TokenEvent', delta: c }, false);
    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('从前有座山'));
    server.append({ __typename: 'TokenEvent', delta: '。' }, false);
    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('从前有座山。'));
    follower.stop();
  });

  it('moves its streams when the connection changes transport', async () => {
    const server = fakeServer();
    const connection = fakeConnection('ws');
    const follower = follow(server, connection);
    await vi.waitFor(() => expect(server.subscriptions.length).toBe(STAGE_NAMES.length));
    connection.set({ mode: 'sse', state: 'reconnecting' });
    // Over SSE each stream is an HTTP connection: four stream, the others are polled.
    await vi.waitFor(() => expect(server.subscriptions.length).toBe(STAGE_NAMES.length + 4));
    expect(server.subscriptions.slice(0, STAGE_NAMES.length).every((s) => s.closed)).toBe(true);
    follower.stop();
    expect(server.subscriptions.every((s) => s.closed)).toBe(true);
  });

  it('over SSE streams at most four stages, the busiest first, and polls the rest', async () => {
    const server = fakeServer();
    server.append({ __typename: 'TaskStatusEvent', status: 'QUEUED' });
    server.append({ __typename: 'TaskStatusEvent', status: 'RUNNING' });
    const connection = fakeConnection('sse');
    const follower = follow(server, connection);
    await vi.waitFor(() => expect(server.fetches.length + server.subscriptions.length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(server.subscriptions.filter((s) => !s.closed)).toHaveLength(4));
    // The running stage streams; a browser keeps two of its six connections for queries.
    expect(server.subscriptions.filter((s) => !s.closed).map((s) => s.stage)).toContain('REWRITE');
    server.append({ __typename: 'TokenEvent', delta: 'live' });
    await vi.waitFor(() => expect(rewrite(follower)?.text).toBe('live'));
    follower.stop();
    expect(server.subscriptions.every((s) => s.closed)).toBe(true);
  });
});
