// One soak subscriber: follows a task over graphql-ws (`taskProgress`) as a careful client
// does. It holds its cursor (the last seq it got); when the subscription errors or its socket
// closes, it subscribes again from the cursor, on whichever API it picks. It ends when the
// server completes it, when the server says the log was lost, or when the run gives up on
// it (a hang: a failure of the run).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sleep } from './settings.ts';

const TASK_PROGRESS = `subscription($taskId: ID!, $after: Int) { taskProgress(taskId: $taskId, after: $after) {
  __typename seq attempt ... on TaskStatusEvent { status } ... on FailedEvent { willRetry } } }`;

export interface SeenEvent {
  seq: number;
  type: string;
  attempt: number;
  final: boolean;
}

/** final: got the final event, then completion; completed: completion with no final event (judged against the log); lost: told the log was lost; hung: still open when the run gave up. */
export type SubscriberEnd = 'final' | 'completed' | 'lost' | 'hung';

export interface SubscriberRecord {
  taskId: string;
  /** The cursor it first subscribed with. */
  from: number;
  /** The cursor it ended with. */
  cursor: number;
  /** Every event received, in the order received (repeats and gaps included: they are problems). */
  received: SeenEvent[];
  resubscribes: number;
  errors: string[];
  /** Deliveries that broke the contract: a repeat, a gap. */
  problems: string[];
  end: SubscriberEnd | null;
}

/** An event as the soak reads it, from a subscription or from Task.events. */
export interface RawEvent {
  __typename: string;
  seq: number;
  attempt: number;
  status?: string;
  willRetry?: boolean;
}

export const isFinal = (e: { __typename?: string; type?: string; status?: string; willRetry?: boolean }) => {
  const type = e.__typename ?? e.type;
  return type === 'CompletedEvent' || (type === 'FailedEvent' && e.willRetry === false) || (type === 'TaskStatusEvent' && e.status === 'CANCELLED');
};

function describe(err: unknown): string {
  if (Array.isArray(err)) return err.map((e: { message?: string; extensions?: { code?: string } }) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ');
  if (err && typeof err === 'object' && 'code' in err && 'reason' in err) return `socket closed ${String(err.code)} ${String(err.reason)}`.trim();
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Follows `taskId` from `after` until it ends (see the file comment). `pickUrl` gives a
 * ws:// URL for each (re)subscription; `giveUp` ends a subscriber still open as hung.
 */
export async function follow(opts: { taskId: string; token: string; after: number; pickUrl: () => string; giveUp: AbortSignal }): Promise<SubscriberRecord> {
  const rec: SubscriberRecord = { taskId: opts.taskId, from: opts.after, cursor: opts.after, received: [], resubscribes: 0, errors: [], problems: [], end: null };
  let cursor = opts.after;
  let sawFinal = false;

  // One subscription on a fresh socket: resolves when it completes, errors, or the run gives up.
  const once = () =>
    new Promise<'complete' | 'error' | 'gave-up'>((resolve) => {
      const client = createClient({
        url: opts.pickUrl(),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${opts.token}` },
        retryAttempts: 0,
        lazy: true,
      });
      let settled = false;
      const settle = (how: 'complete' | 'error' | 'gave-up', err?: unknown) => {
        if (settled) return;
        settled = true;
        if (err !== undefined) rec.errors.push(describe(err));
        opts.giveUp.removeEventListener('abort', onGiveUp);
        void client.dispose();
        resolve(how);
      };
      const onGiveUp = () => settle('gave-up');
      if (opts.giveUp.aborted) return settle('gave-up');
      opts.giveUp.addEventListener('abort', onGiveUp, { once: true });
      client.subscribe<{ taskProgress: RawEvent }>(
        { query: TASK_PROGRESS, variables: { taskId: opts.taskId, after: cursor } },
        {
          next: (result) => {
            if (result.errors?.length) return settle('error', result.errors);
            const e = result.data?.taskProgress;
            if (!e) return;
            rec.received.push({ seq: e.seq, type: e.__typename, attempt: e.attempt, final: isFinal(e) });
            if (e.seq <= cursor) rec.problems.push(`seq ${e.seq} again after ${cursor}`);
            else if (e.seq > cursor + 1) rec.problems.push(`gap: seq ${e.seq} after ${cursor}`);
            if (e.seq > cursor) cursor = e.seq;
            if (isFinal(e)) sawFinal = true;
          },
          error: (err) => settle('error', err),
          complete: () => settle('complete'),
        },
      );
    });

  for (let tries = 0; rec.end === null; tries++) {
    const how = await once().catch((err: unknown) => {
      rec.errors.push(describe(err)); // no API to subscribe on
      return 'error' as const;
    });
    if (how === 'gave-up') rec.end = 'hung';
    // Completed without a final event: right only when the cursor was already at the log's
    // end (it subscribed after the task ended); the checks compare it with the log.
    else if (how === 'complete') rec.end = sawFinal ? 'final' : 'completed';
    else if (/was lost/i.test(rec.errors.at(-1) ?? '')) rec.end = 'lost';
    else {
      rec.resubscribes += 1;
      // Back off a little, more after many tries; the run's `giveUp` bounds the loop.
      await sleep(Math.min(200 * 2 ** Math.min(tries, 4), 3000));
    }
  }
  rec.cursor = cursor;
  return rec;
}
