// Every write an attempt makes to its log goes through here: one at a time, in order, each
// under a key that makes a replay harmless (when Redis runs an append but the connection
// drops before the answer, the retried append is recognised and not applied twice). While
// Redis is unreachable the appender waits and retries, so a restart or a failover costs the
// attempt a pause, not its work; a longer outage fails the append with the outage's error.
import { throughOutage } from '../errors.ts';
import type { EventLog, Producer, TaskRef } from '../events/event-log.ts';
import type { AttemptLease } from '../events/lease.ts';
import type { EventBody } from '../events/types.ts';

export type Appender = (bodies: EventBody[]) => Promise<number>;

export function createAppender(deps: {
  eventLog: EventLog;
  ref: TaskRef;
  lease: AttemptLease;
  by: () => Producer;
  /** How long Redis may be unreachable before the append fails. */
  outageToleranceMs: number;
  signal: AbortSignal;
  onOutage?: (err: unknown) => void;
}): Appender {
  let count = 0;
  let tail: Promise<unknown> = Promise.resolve();
  return (bodies) => {
    const key = `${deps.lease.token}:${++count}`;
    const run = tail.then(() =>
      throughOutage(() => deps.eventLog.append(deps.ref, deps.lease, bodies, deps.by(), { key }), {
        toleranceMs: deps.outageToleranceMs,
        signal: deps.signal,
        onOutage: deps.onOutage,
      }),
    );
    tail = run.catch(() => {});
    return run;
  };
}
