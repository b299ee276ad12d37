// The invariants on tasks, their event logs and the soak's subscriptions, read the way a
// client reads them: `task(id) { events(after, first) }` paged over either API.
import type { TaskRecord } from './database.ts';
import { gql } from './gql.ts';
import { eachLimit } from './settings.ts';
import { isFinal, type RawEvent, type SeenEvent, type SubscriberRecord } from './subscriber.ts';

const PAGE = 500;
const TASK_EVENTS = `query($id: ID!, $after: Int, $first: Int) { task(id: $id) { status lastSeq
  events(after: $after, first: $first) { __typename seq attempt ... on TaskStatusEvent { status } ... on FailedEvent { willRetry } } } }`;

export interface Violation {
  taskId: string;
  what: string;
}

/** The final event a task of each final status must end with. */
const FINAL_OF: Record<string, (e: RawEvent) => boolean> = {
  COMPLETED: (e) => e.__typename === 'CompletedEvent',
  FAILED: (e) => e.__typename === 'FailedEvent' && e.willRetry === false,
  CANCELLED: (e) => e.__typename === 'TaskStatusEvent' && e.status === 'CANCELLED',
};

export interface LogCheck {
  /** Each task's log as read, compact. */
  logs: Map<string, SeenEvent[]>;
  eventsChecked: number;
  violations: Violation[];
}

/** Reads every task's log through the API and checks: gapless 1..n, QUEUED first, one final event, last, matching the row. */
export async function checkLogs(tasks: TaskRecord[], tokenOf: (userId: string) => string | undefined, pickApi: () => string): Promise<LogCheck> {
  const out: LogCheck = { logs: new Map(), eventsChecked: 0, violations: [] };
  const violate = (taskId: string, what: string): void => void out.violations.push({ taskId, what });

  await eachLimit(tasks, 8, async (task) => {
    const token = tokenOf(task.ownerId);
    if (!token) return violate(task.id, `owner ${task.ownerId} is not a soak user`);
    const events: RawEvent[] = [];
    let lastSeq = -1;
    try {
      for (let page = 0; page < 100; page++) {
        const d = await gql<{ task: { status: string; lastSeq: number; events: RawEvent[] } | null }>(pickApi, TASK_EVENTS, { id: task.id, after: events.at(-1)?.seq ?? 0, first: PAGE }, token, 30_000);
        if (!d.task) return violate(task.id, 'task(id) answered null');
        lastSeq = d.task.lastSeq;
        events.push(...d.task.events);
        if (d.task.events.length < PAGE) break;
      }
    } catch (err) {
      return violate(task.id, `reading its events failed: ${(err as Error).message}`);
    }
    out.eventsChecked += events.length;
    out.logs.set(task.id, events.map((e) => ({ seq: e.seq, type: e.__typename, attempt: e.attempt, final: isFinal(e) })));

    const n = events.length;
    const badSeq = events.findIndex((e, i) => e.seq !== i + 1);
    if (n === 0) violate(task.id, 'empty event log');
    else if (badSeq >= 0) violate(task.id, `log not gapless: seq ${events[badSeq]!.seq} at position ${badSeq + 1} (seqs ${events.map((e) => e.seq).join(',')})`);
    if (n > 0 && !(events[0]!.__typename === 'TaskStatusEvent' && events[0]!.status === 'QUEUED')) violate(task.id, `first event is ${events[0]!.__typename} ${events[0]!.status ?? ''}, not QUEUED`);
    const matches = FINAL_OF[task.status];
    if (!matches) return; // not final: reported with the bound, with its state
    const finals = events.filter(isFinal);
    if (finals.length !== 1) violate(task.id, `${finals.length} final events (seqs ${finals.map((e) => e.seq).join(',') || 'none'}); last is ${events.at(-1)?.__typename ?? '-'} seq ${events.at(-1)?.seq ?? '-'}; status ${task.status}`);
    else if (finals[0] !== events.at(-1)) violate(task.id, `final event seq ${finals[0]!.seq} is not the last (${n})`);
    if (n > 0 && !matches(events.at(-1)!)) violate(task.id, `status ${task.status} but the log ends with ${events.at(-1)!.__typename} ${events.at(-1)!.status ?? ''}`);
    if (lastSeq !== n) violate(task.id, `Task.lastSeq ${lastSeq} but the log has ${n} events`);
  });
  return out;
}

export interface SubscriptionCheck {
  byEnd: Record<string, number>;
  /** Errors subscribers saw (each followed by a resubscription from the cursor), by kind. */
  errors: Record<string, number>;
  resubscribes: number;
  eventsReceived: number;
  violations: Violation[];
}

/** Each subscriber got exactly the log after its cursor, once, in order, and ended. */
export function checkSubscriptions(records: SubscriberRecord[], logs: Map<string, SeenEvent[]>): SubscriptionCheck {
  const out: SubscriptionCheck = { byEnd: {}, errors: {}, resubscribes: 0, eventsReceived: 0, violations: [] };
  for (const rec of records) {
    const end = rec.end ?? 'open';
    out.byEnd[end] = (out.byEnd[end] ?? 0) + 1;
    out.resubscribes += rec.resubscribes;
    out.eventsReceived += rec.received.length;
    const violate = (what: string): void => void out.violations.push({ taskId: rec.taskId, what: `subscription from ${rec.from}: ${what}` });
    for (const p of rec.problems) violate(p);
    for (const error of rec.errors) {
      const kind = /^socket closed \d+/.exec(error)?.[0] ?? /^[A-Z_]+(?=: )/.exec(error)?.[0] ?? 'other';
      out.errors[kind] = (out.errors[kind] ?? 0) + 1;
      // An outage is SERVICE_UNAVAILABLE; INTERNAL_SERVER_ERROR is a bug showing.
      if (kind === 'INTERNAL_SERVER_ERROR' || kind === 'other') violate(`error: ${error}`);
    }
    const log = logs.get(rec.taskId);
    if (!log) continue; // the log check reported it
    if (end === 'hung' || end === 'open') {
      violate(`still open when the run gave up, at cursor ${rec.cursor} of ${log.length}; ${rec.resubscribes} resubscriptions; errors: ${rec.errors.slice(-3).join(' | ') || 'none'}`);
      continue;
    }
    for (const e of rec.received) {
      const logged = log[e.seq - 1];
      if (!logged || logged.type !== e.type || logged.attempt !== e.attempt) {
        violate(`seq ${e.seq} was ${e.type} (attempt ${e.attempt}), the log has ${logged ? `${logged.type} (attempt ${logged.attempt})` : 'nothing'}`);
      }
    }
    if (end === 'lost') continue; // told the log was lost: what it got must match the log (above), nothing more is owed
    const expected = Math.max(0, log.length - rec.from);
    const got = new Set(rec.received.map((e) => e.seq)).size;
    if (got !== expected || rec.cursor !== log.length) {
      violate(`ended (${end}) at cursor ${rec.cursor} with ${got} of the ${expected} events after its cursor; the log has ${log.length}; errors: ${rec.errors.slice(-3).join(' | ') || 'none'}`);
    }
  }
  return out;
}
