// The producers. Ours writes through the event log (the Lua append a worker uses), into
// tasks our subscribers follow; the raw one PUBLISHes the same JSON (same fields, same
// sizes) to channels of its own. Each token's text is its birth time (`<µs>;`), so the
// subscribers can tell every token's age, whichever path carried it.
import { Redis } from 'ioredis';
import type { EventLog, TaskRef } from '../../server/events/event-log.ts';
import { attemptLease } from '../../server/events/lease.ts';
import { createTokenBatcher } from '../../server/worker/token-batcher.ts';
import { nowUs } from './stats.ts';

/** A task of ours the bench writes into (its attempt started under the bench's lease). */
export interface BenchTask extends TaskRef {
  ownerToken: string;
}

export const BENCH_LEASE = attemptLease('bench');

export interface Feed {
  /** Writes one token event (`delta`) to stream `i`, without waiting. */
  send(i: number, delta: string): void;
  /** Waits until every write was acknowledged. */
  flush(): Promise<void>;
}

export const stamp = (): string => `${nowUs()};`;

function tracked(write: (i: number, delta: string) => Promise<unknown>): Feed {
  const inflight = new Set<Promise<unknown>>();
  let failure: unknown = null;
  return {
    send(i, delta) {
      const p: Promise<unknown> = write(i, delta).then(
        () => inflight.delete(p),
        (err: unknown) => {
          failure ??= err;
          inflight.delete(p);
        },
      );
      inflight.add(p);
    },
    async flush() {
      while (inflight.size) await Promise.all(inflight);
      if (failure) throw failure;
    },
  };
}

/** One append per event, as each event is written (several may be in flight per task). */
export function ourEventFeed(eventLog: EventLog, tasks: TaskRef[]): Feed {
  return tracked((i, delta) => eventLog.append(tasks[i], BENCH_LEASE, [{ type: 'token', delta }]));
}

/** Model tokens through the worker's batcher: one append in flight per task, later tokens go out together. */
export function ourTokenFeed(eventLog: EventLog, tasks: TaskRef[]): Feed {
  let failure: unknown = null;
  const batchers = tasks.map((t) =>
    createTokenBatcher(
      (delta) => eventLog.append(t, BENCH_LEASE, [{ type: 'token', delta }]).then(() => {}),
      (err) => (failure ??= err),
    ),
  );
  return {
    send: (i, delta) => batchers[i].push(delta),
    async flush() {
      await Promise.all(batchers.map((b) => b.flush()));
      if (failure) throw failure;
    },
  };
}

/** The raw path: PUBLISH per event of the JSON our log would publish, on `channels[i]`. */
export function rawFeed(redis: Redis, tasks: TaskRef[], channels: string[]): Feed {
  const seqs = tasks.map(() => 2);
  return tracked((i, delta) => {
    const t = tasks[i];
    const ev = { seq: ++seqs[i], attempt: 1, taskId: t.taskId, projectId: t.projectId, stage: t.stage, at: new Date().toISOString(), type: 'token', delta };
    return redis.publish(channels[i], JSON.stringify(ev));
  });
}

/** Calls `send(k)` for k < total at `perSecond`, in small bursts on a 1 ms timer. */
export async function paced(total: number, perSecond: number, send: (k: number) => void): Promise<{ startedAt: number; endedAt: number }> {
  const startedAt = nowUs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowUs() - startedAt) / 1e6) * perSecond) + 1);
    while (sent < due) send(sent++);
    if (sent < total) await new Promise((r) => setTimeout(r, 1));
  }
  return { startedAt, endedAt: nowUs() };
}

/** Starts an attempt under the bench's lease on each task, so the bench may append to them. */
export async function takeOver(eventLog: EventLog, tasks: TaskRef[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 100) await Promise.all(tasks.slice(i, i + 100).map((t) => eventLog.startAttempt(t, BENCH_LEASE)));
}

export const rawChannel = (prefix: string, taskId: string) => `${prefix}{task:${taskId}}:events`;
