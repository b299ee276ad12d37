// The credits invariant, read straight from the database: for every user,
// users.credits == Σ credit_ledger.delta == initial − Σ tasks.credits_charged + Σ refunds;
// each task charged once, exactly its price, and refunded at most once, at most that, and
// never when it completed. The API's `me { credits }` says the same as the row.
import type { Violation } from './checks.ts';
import type { SoakDb } from './database.ts';
import { gql } from './gql.ts';
import { eachLimit } from './settings.ts';

export interface LedgerCheck {
  users: number;
  charged: number;
  refunded: number;
  /** Σ over users of |credits − ledger| + |credits − (initial − charges + refunds)| + |ledger charges − task charges|: must be 0. */
  difference: number;
  violations: Violation[];
}

const n = (v: unknown) => Number(v ?? 0);

export async function checkLedger(db: SoakDb, initialCredits: number, users: Array<{ id: string; token: string }>, pickApi: () => string): Promise<LedgerCheck> {
  const out: LedgerCheck = { users: 0, charged: 0, refunded: 0, difference: 0, violations: [] };
  const perUser = await db.rows<Record<string, unknown>>(`
    select u.id, u.credits,
      (select coalesce(sum(delta), 0) from credit_ledger l where l.user_id = u.id) as ledger,
      (select coalesce(sum(delta), 0) from credit_ledger l where l.user_id = u.id and l.reason = 'signup') as initial,
      (select coalesce(sum(delta), 0) from credit_ledger l where l.user_id = u.id and l.reason = 'charge') as charge_entries,
      (select coalesce(sum(delta), 0) from credit_ledger l where l.user_id = u.id and l.reason = 'refund') as refunds,
      (select coalesce(sum(credits_charged), 0) from tasks t where t.owner_id = u.id) as charged
    from users u`);
  for (const u of perUser) {
    out.users += 1;
    const credits = n(u.credits);
    const expected = initialCredits - n(u.charged) + n(u.refunds);
    const diff = Math.abs(credits - n(u.ledger)) + Math.abs(credits - expected) + Math.abs(n(u.charge_entries) + n(u.charged));
    out.charged += n(u.charged);
    out.refunded += n(u.refunds);
    out.difference += diff;
    if (n(u.initial) !== initialCredits) out.violations.push({ taskId: '-', what: `user ${String(u.id)}: signup entry ${n(u.initial)}, expected ${initialCredits}` });
    if (diff !== 0) {
      out.violations.push({
        taskId: '-',
        what: `user ${String(u.id)}: credits ${credits}, ledger ${n(u.ledger)}, initial − charged + refunds = ${expected}, ledger charges ${n(u.charge_entries)} vs tasks ${n(u.charged)}`,
      });
    }
  }

  const perTask = await db.rows<Record<string, unknown>>(`
    select t.id, t.status, t.credits_charged,
      count(*) filter (where l.reason = 'charge') as charges, coalesce(sum(l.delta) filter (where l.reason = 'charge'), 0) as charge_sum,
      count(*) filter (where l.reason = 'refund') as refunds, coalesce(sum(l.delta) filter (where l.reason = 'refund'), 0) as refund_sum
    from tasks t left join credit_ledger l on l.task_id = t.id
    group by t.id, t.status, t.credits_charged`);
  for (const t of perTask) {
    const id = String(t.id);
    const price = n(t.credits_charged);
    if (n(t.charges) !== 1 || n(t.charge_sum) !== -price) out.violations.push({ taskId: id, what: `${n(t.charges)} charge entries totalling ${n(t.charge_sum)} for a price of ${price}` });
    if (n(t.refunds) > 1 || n(t.refund_sum) > price || n(t.refund_sum) < 0) out.violations.push({ taskId: id, what: `${n(t.refunds)} refunds totalling ${n(t.refund_sum)} of a price of ${price}` });
    if (t.status === 'COMPLETED' && n(t.refunds) > 0) out.violations.push({ taskId: id, what: `COMPLETED but refunded ${n(t.refund_sum)}` });
  }
  const strange = await db.rows<{ reason: string; n: unknown }>(`select reason, count(*) as n from credit_ledger where reason not in ('signup', 'charge', 'refund') group by reason`);
  for (const s of strange) out.violations.push({ taskId: '-', what: `${n(s.n)} ledger entries with reason "${s.reason}"` });

  // What each user is shown is the row.
  const rows = new Map(perUser.map((u) => [String(u.id), n(u.credits)]));
  await eachLimit(users, 8, async (user) => {
    try {
      const d = await gql<{ me: { credits: number } }>(pickApi, `{ me { credits } }`, {}, user.token, 30_000);
      if (d.me.credits !== rows.get(user.id)) out.violations.push({ taskId: '-', what: `user ${user.id}: me.credits ${d.me.credits}, users.credits ${rows.get(user.id)}` });
    } catch (err) {
      out.violations.push({ taskId: '-', what: `user ${user.id}: me { credits } failed: ${(err as Error).message}` });
    }
  });
  return out;
}
