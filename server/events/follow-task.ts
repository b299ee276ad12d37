// Delivers one task's events after a cursor exactly once, in order, with no gaps:
//   1. attach to the live channel first, buffering what arrives;
//   2. replay the log after the cursor;
//   3. go live: drop seq <= cursor, emit seq == cursor + 1, fill a gap (seq > cursor + 1)
//      from the log first. The same rule makes a lost or late pub/sub message harmless;
//   4. complete after the final event. When the channel is quiet, look at the log itself,
//      so a missed final event cannot leave the stream hanging.
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { AppError, throughOutage } from '../errors.ts';
import type { EventLog } from './event-log.ts';
import { isFinalEvent, type DeliveredEvent, type StageEventData } from './types.ts';
import { abortable, createWaker } from './waker.ts';

export interface FollowDeps {
  eventLog: EventLog;
  pubsub: RedisPubSub;
  /** Whether the database says the task has ended (or no longer exists): durable state, when Redis has no log. */
  taskEnded?: (taskId: string) => Promise<boolean>;
  /** How long reads wait for an unreachable Redis before the subscription ends with SERVICE_UNAVAILABLE. @default 30000 */
  outageToleranceMs?: number;
  /** How long a quiet channel is trusted before the log is checked. @default 5000 */
  idleCheckMs?: number;
  /**
   * Live events held for a subscriber slower than the stream. Past this the oldest are
   * dropped: the gap they leave is read back from the log, so memory stays bounded and
   * nothing is lost. @default 2000
   */
  maxBuffered?: number;
  /** Test seam: told how many events a stage follower holds for its reader, each time it adds one. */
  onStageBuffer?: (size: number) => void;
  /** Test seam: runs after the replay has read the log and before going live (to force the race). */
  afterReplay?: (taskId: string, cursor: number) => Promise<void>;
}

export interface FollowOptions {
  taskId: string;
  /** Deliver events with seq > after. */
  after: number;
  /** Assemble TokenEvent.fullText (only for subscribers that select it). */
  withText: boolean;
}

/** The current attempt's text as of `seq`, rebuilt once from the log when a stream resumes. */
export async function textAsOf(eventLog: Pick<EventLog, 'read'>, taskId: string, seq: number): Promise<{ text: string; attempt: number }> {
  let text = '';
  let attempt = 0;
  let cursor = 0;
  while (cursor < seq) {
    const page = await eventLog.read(taskId, cursor, Math.min(1000, seq - cursor));
    if (page.length === 0) break;
    for (const e of page) {
      if (e.attempt !== attempt) {
        attempt = e.attempt;
        text = '';
      }
      if (e.type === 'token') text += e.delta;
    }
    cursor = page[page.length - 1].seq;
  }
  return { text, attempt };
}

/** Assembles fullText from deltas: O(1) per event, reset when a new attempt starts. */
export function createTextAssembler(initial: { text: string; attempt: number }) {
  let { text, attempt } = initial;
  return (e: StageEventData): DeliveredEvent => {
    if (e.attempt !== attempt) {
      attempt = e.attempt;
      text = '';
    }
    if (e.type !== 'token') return e;
    text += e.delta;
    return { ...e, fullText: text };
  };
}

/**
 * The task's live log is gone or was started anew (Redis restarted without its data): the
 * seqs a subscriber holds mean nothing any more. Retryable: read the task again.
 */
export class LogLostError extends AppError {
  constructor(taskId: string) {
    super('SERVICE_UNAVAILABLE', `The live log of task ${taskId} was lost (Redis restarted without its data); read the task again, then resubscribe from its lastSeq.`);
  }
}

export function followTask(deps: FollowDeps, opts: FollowOptions): AsyncGenerator<DeliveredEvent> {
  const idleCheckMs = deps.idleCheckMs ?? 5000;
  const maxBuffered = deps.maxBuffered ?? 2000;
  const { pubsub } = deps;
  // Reads ride out a short Redis outage (a restart, a failover) and resume from the cursor.
  const patiently = <T>(read: () => Promise<T>) => throughOutage(read, { toleranceMs: deps.outageToleranceMs ?? 30_000 });
  const eventLog: Pick<EventLog, 'read' | 'endSeq' | 'meta' | 'channel'> = {
    read: (taskId, after, limit) => patiently(() => deps.eventLog.read(taskId, after, limit)),
    endSeq: (taskId) => patiently(() => deps.eventLog.endSeq(taskId)),
    meta: (taskId) => patiently(() => deps.eventLog.meta(taskId)),
    channel: (taskId) => deps.eventLog.channel(taskId),
  };

  return abortable(async function* (signal) {
    const live: StageEventData[] = [];
    const waker = createWaker();
    const subId = await pubsub.subscribe(eventLog.channel(opts.taskId), (e: StageEventData) => {
      live.push(e);
      if (live.length > maxBuffered) live.splice(0, live.length - maxBuffered);
      waker.wake();
    });
    try {
      let cursor = opts.after;
      const assemble = opts.withText
        ? createTextAssembler(cursor > 0 ? await textAsOf(eventLog, opts.taskId, cursor) : { text: '', attempt: 0 })
        : (e: StageEventData): DeliveredEvent => e;

      // Reads the log after the cursor up to `until` (inclusive); returns the events in order.
      const fromLog = async (until = Infinity): Promise<StageEventData[]> => {
        const out: StageEventData[] = [];
        for (;;) {
          const page = await eventLog.read(opts.taskId, cursor + out.length, 1000);
          const wanted = page.filter((e) => e.seq <= until);
          out.push(...wanted);
          if (page.length < 1000 || wanted.length < page.length) return out;
        }
      };

      for (const e of await fromLog()) {
        cursor = e.seq;
        yield assemble(e);
        if (isFinalEvent(e)) return;
      }
      if (deps.afterReplay) await deps.afterReplay(opts.taskId, cursor);
      // The cursor may already be at (or past) the end of a finished log.
      const ended = async () => {
        const end = await eventLog.endSeq(opts.taskId);
        return end !== null && cursor >= end;
      };

      // Liveness: when neither the channel nor the log moved, look at durable state. A log that
      // went backwards was started anew; one that is gone while the database says the task
      // ended was lost. Either way the cursor means nothing now: end, retryable, rather than hang.
      const checkDurableState = async () => {
        const meta = await eventLog.meta(opts.taskId);
        if (meta && meta.seq < cursor) throw new LogLostError(opts.taskId);
        if (!meta && (await eventLog.endSeq(opts.taskId)) === null && (await deps.taskEnded?.(opts.taskId))) throw new LogLostError(opts.taskId);
      };
      await checkDurableState();
      if (await ended()) return;

      while (!signal.aborted) {
        if (live.length === 0) {
          const woken = await waker.wait(idleCheckMs, signal);
          if (signal.aborted) return;
          if (!woken) {
            // Quiet channel: trust the log, not pub/sub.
            for (const e of await fromLog()) {
              cursor = e.seq;
              yield assemble(e);
              if (isFinalEvent(e)) return;
            }
            await checkDurableState();
            if (await ended()) return;
          }
          continue;
        }
        const e = live.shift()!;
        if (e.seq <= cursor) continue;
        if (e.seq > cursor + 1) {
          for (const missed of await fromLog(e.seq - 1)) {
            cursor = missed.seq;
            yield assemble(missed);
            if (isFinalEvent(missed)) return;
          }
        }
        if (e.seq !== cursor + 1) continue; // the log did not have the gap yet; it will on the next read
        cursor = e.seq;
        yield assemble(e);
        if (isFinalEvent(e)) return;
      }
    } finally {
      pubsub.unsubscribe(subId);
    }
  });
}
