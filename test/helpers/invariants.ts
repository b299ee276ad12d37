// What must hold after any failure: every task ends, its log is gapless with exactly one
// final event (its last), and every user's balance is the sum of their ledger.
import { expect } from 'vitest';
import { CreditEntry, User } from '../../server/db/entities.ts';
import { EVENT_FIELDS } from './queries.ts';
import type { TestApp } from './test-app.ts';

const EVENTS = `query($id: ID!, $after: Int, $first: Int) { task(id: $id) { status events(after: $after, first: $first) { ${EVENT_FIELDS} } } }`;

export const isFinal = (e: { __typename: string; status?: string; willRetry?: boolean }) =>
  e.__typename === 'CompletedEvent' || (e.__typename === 'FailedEvent' && e.willRetry === false) || (e.__typename === 'TaskStatusEvent' && e.status === 'CANCELLED');

/** A task's whole log through the public API (Task.events, page by page). */
export async function taskLog(t: TestApp, token: string, taskId: string): Promise<any[]> {
  const events: any[] = [];
  for (;;) {
    const r = await t.gql(EVENTS, { id: taskId, after: events.at(-1)?.seq ?? 0, first: 1000 }, token);
    const page = r.data?.task?.events ?? [];
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

export function expectGaplessWithOneFinal(events: Array<{ seq: number; __typename: string }>, what = 'the log'): void {
  expect(events.map((e) => e.seq), `${what}: gapless`).toEqual(events.map((_, i) => i + 1));
  expect(events.filter(isFinal as never).length, `${what}: exactly one final event`).toBe(1);
  expect(isFinal(events.at(-1) as never), `${what}: the final event is the last`).toBe(true);
}

/** users.credits equals the sum of each user's ledger, for every user. */
export async function expectLedgerBalanced(t: TestApp): Promise<void> {
  const em = t.app.orm.em.fork();
  for (const user of await em.find(User, {})) {
    const entries = await em.find(CreditEntry, { userId: user.id });
    expect(user.credits, `ledger of ${user.email}`).toBe(entries.reduce((sum, e) => sum + e.delta, 0));
  }
}
