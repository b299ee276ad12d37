// The soak's figures, as printed at the end of a run, and the evidence for each violation.
import { readFileSync } from 'node:fs';
import type { LogCheck, SubscriptionCheck, Violation } from './checks.ts';
import type { TaskRecord } from './database.ts';
import type { LedgerCheck } from './ledger.ts';
import { percentile } from './settings.ts';

export interface Figures {
  header: string;
  faults: string[];
  load: string[];
  tasks: TaskRecord[];
  /** When the last fault ended and the bound on every task's end, ms since the epoch. */
  lastFaultAt: number;
  boundSeconds: number;
  allFinalAt: number | null;
  logs: LogCheck;
  subscriptions: SubscriptionCheck;
  ledger: LedgerCheck;
  violations: Violation[];
  /** Process log files, searched for each violating task's id. */
  logFiles: string[];
  tookMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The lines of the process logs that name `taskId`, at most `max`. */
function evidence(files: string[], taskId: string, max = 12): string[] {
  const lines: string[] = [];
  for (const file of files) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const name = file.split('/').at(-1)!.replace(/\.log$/, '');
    for (const line of text.split('\n')) if (line.includes(taskId)) lines.push(`${name}: ${line.slice(0, 300)}`);
  }
  return lines.length > max ? [...lines.slice(0, max / 2), `… ${lines.length - max} more …`, ...lines.slice(-max / 2)] : lines;
}

export function printReport(f: Figures): void {
  const out: string[] = [];
  const byState: Record<string, number> = {};
  for (const t of f.tasks) byState[t.status] = (byState[t.status] ?? 0) + 1;
  const times = f.tasks.filter((t) => t.finishedMs !== null).map((t) => t.finishedMs! - t.createdMs).sort((a, b) => a - b);
  const lastEnd = Math.max(0, ...f.tasks.map((t) => t.finishedMs ?? 0));

  out.push('', '== soak figures ==', f.header, ...f.faults, ...f.load);
  out.push(`tasks by final state: ${list(byState)} (${f.tasks.length} tasks)`);
  out.push(`time to final state (created → finished): p50 ${s(percentile(times, 50))}, p99 ${s(percentile(times, 99))}, max ${s(times.at(-1) ?? NaN)}`);
  out.push(
    f.allFinalAt === null
      ? `NOT all final within the bound: ${f.boundSeconds} s after the last fault`
      : `all final ${s(Math.max(0, lastEnd - f.lastFaultAt))} after the last fault (bound ${f.boundSeconds} s)`,
  );
  out.push(`events checked: ${f.logs.eventsChecked} in ${f.logs.logs.size} logs (gapless 1..n, QUEUED first, exactly one final event, last, matching the row and lastSeq)`);
  const subs = Object.values(f.subscriptions.byEnd).reduce((a, b) => a + b, 0);
  out.push(`subscriptions checked: ${subs} (${list(f.subscriptions.byEnd)}); ${f.subscriptions.eventsReceived} events received; ${f.subscriptions.resubscribes} resubscriptions from a cursor, after errors: ${list(f.subscriptions.errors)}`);
  out.push(`ledger: ${f.ledger.users} users, ${f.ledger.charged} credits charged, ${f.ledger.refunded} refunded; ledger difference = ${f.ledger.difference}`);
  out.push(`violations: ${f.violations.length}`);
  const shown = f.violations.slice(0, 60);
  for (const v of shown) out.push(`  ${v.taskId === '-' ? '' : `task ${v.taskId}: `}${v.what}`);
  if (f.violations.length > shown.length) out.push(`  … and ${f.violations.length - shown.length} more`);
  const ids = [...new Set(f.violations.map((v) => v.taskId).filter((id) => id !== '-'))].slice(0, 5);
  for (const id of ids) {
    const lines = evidence(f.logFiles, id);
    if (lines.length) out.push(`  process log lines naming ${id}:`, ...lines.map((l) => `    ${l}`));
  }
  out.push(`took ${s(f.tookMs)}`, '');
  process.stdout.write(out.join('\n'));
}
