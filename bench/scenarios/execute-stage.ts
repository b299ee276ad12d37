// executeStage throughput: many calls in parallel over HTTP, one project each (one active
// task per project and stage is a rule), spread over several users. The app runs as an API
// only (no worker), so this prices the mutation path: validate, charge and insert in one
// transaction, write the log's first event, enqueue. The tasks it makes (QUEUED, no worker
// takes them) join the streaming rows' pool.
import type { BenchTask } from '../lib/feeds.ts';
import type { User } from '../lib/gql-http.ts';
import type { AppHandle, BenchContext } from '../lib/harness.ts';
import { rowResult } from '../lib/rows.ts';
import { mapLimit, nowUs, summarize } from '../lib/stats.ts';

/** `users`: accounts of this app's database (signed up here when none are given). */
export async function executeStageThroughput(ctx: BenchContext, app: AppHandle, rowId: 'execute-stage-sqlite' | 'execute-stage-postgres', given?: User[]): Promise<BenchTask[]> {
  const { executeCalls: n, executeInFlight: inFlight, executeUsers } = ctx.sizes;
  const users = given?.slice(0, executeUsers) ?? (await app.api.signUpMany(executeUsers));
  const owner = (i: number) => users[i % users.length];
  const warmup = Math.min(50, Math.floor(n / 5));
  const projects = await mapLimit(n + warmup, 16, (i) => app.api.createProject(owner(i).token));
  // Warm-up calls (JIT, connection pools) on projects of their own, not counted.
  await mapLimit(warmup, inFlight, (i) => app.api.executeStage(owner(n + i).token, projects[n + i]));

  const latencies: number[] = [];
  const { ids, seconds } = await ctx.profiled(rowId, app.process, async () => {
    const started = nowUs();
    const ids = await mapLimit(n, inFlight, async (i) => {
      const sent = nowUs();
      const id = await app.api.executeStage(owner(i).token, projects[i]);
      latencies.push((nowUs() - sent) / 1000);
      return id;
    });
    return { ids, seconds: (nowUs() - started) / 1e6 };
  });
  const s = summarize(latencies);
  ctx.record(rowResult(rowId, n / seconds, null, `${n} calls, ${inFlight} in flight, ${users.length} users; latency p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms`));
  return ids.map((taskId, i) => ({ taskId, projectId: projects[i], stage: 'REWRITE', ownerToken: owner(i).token }));
}
