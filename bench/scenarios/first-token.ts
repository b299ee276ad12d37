// executeStage → the first token at a subscriber, the way the client works: it follows
// the stage (stageProgress, subscribed beforehand), then starts it over HTTP. The clock
// starts when the mutation is sent and stops when the subscriber process receives the
// first TokenEvent. The real app (role all: API and worker in one process, as `npm start`)
// runs the stage: queue, worker, offline provider, batcher, log, subscription.
// The three configurations run one after another on the same data (database and Redis
// prefix), so the users are signed up once; they stay for the rows that follow.
import { startApp, type AppData, type AppHandle, type BenchContext } from '../lib/harness.ts';
import { STAGE_PROGRESS, type User } from '../lib/gql-http.ts';
import { rowResult } from '../lib/rows.ts';
import { mapLimit, nowUs, summarize } from '../lib/stats.ts';

async function follow(ctx: BenchContext, app: AppHandle, users: User[], projects: string[]): Promise<number> {
  const specs = projects.map((projectId, i) => ({ token: users[i % users.length].token, query: STAGE_PROGRESS, variables: { projectId, stage: 'REWRITE' } }));
  const { first } = await ctx.subscribers.open('gql-ws', app.url, specs);
  // stageProgress sends nothing until a task starts: wait until the server listens.
  await app.waitSubscribed(projects.map((p) => app.keys.stageChannel(p, 'REWRITE')));
  return first;
}

/** One user, one run at a time, the offline provider at full speed: the pipeline's own latency. */
async function oneUser(ctx: BenchContext, app: AppHandle, user: User): Promise<void> {
  const { firstTokenRuns: runs, firstTokenWarmup: warmup } = ctx.sizes;
  const projects = await mapLimit(warmup + runs, 4, () => app.api.createProject(user.token));
  const first = await follow(ctx, app, [user], projects);
  const latencies: number[] = [];
  const answers: number[] = [];
  for (let i = 0; i < projects.length; i++) {
    const sent = nowUs();
    await app.api.executeStage(user.token, projects[i]);
    const answered = nowUs();
    const [at] = await ctx.subscribers.waitFor([first + i], 'firstToken', 10_000);
    if (!at) throw new Error('no first token within 10 s');
    // The stage finishes before the next run starts, so runs do not overlap.
    await ctx.subscribers.waitFor([first + i], 'completed', 10_000);
    if (i >= warmup) {
      latencies.push((at - sent) / 1000);
      answers.push((answered - sent) / 1000);
    }
  }
  await ctx.subscribers.closeAll();
  const s = summarize(latencies);
  const a = summarize(answers);
  ctx.record(
    rowResult('first-token-1-user', s.p50, null, `${runs} runs after ${warmup} warm-up: p90 ${s.p90.toFixed(1)} ms, max ${s.max.toFixed(1)} ms; the executeStage answer alone: p50 ${a.p50.toFixed(1)} ms`),
  );
}

/**
 * Every user starts a stage at the same moment. A user who saw no token within the cap
 * counts as the cap (the percentile is then a lower bound, and the note says so). Their
 * tasks are cancelled afterwards, so the next configuration starts from an empty queue.
 */
async function crowd(ctx: BenchContext, app: AppHandle, rowId: string, users: User[], projects: string[]): Promise<void> {
  const capMs = ctx.sizes.crowdCapMs;
  const first = await follow(ctx, app, users, projects);
  const sent = nowUs();
  const created = Promise.all(users.map(async (u, i) => ({ id: await app.api.executeStage(u.token, projects[i]), at: nowUs() })));
  const firsts = await ctx.subscribers.waitFor(
    projects.map((_, i) => first + i),
    'firstToken',
    capMs,
  );
  const tasks = await created;
  await ctx.subscribers.closeAll();
  // Ended tasks answer CONFLICT: nothing to do for them.
  await mapLimit(tasks.length, 8, (i) => app.api.cancelTask(users[i].token, tasks[i].id));

  const latencies = firsts.map((at) => (at ? (at - sent) / 1000 : capMs));
  const late = firsts.filter((at) => !at).length;
  const s = summarize(latencies);
  const a = summarize(tasks.map((t) => (t.at - sent) / 1000));
  const censored = late ? `; ${late} of ${users.length} saw no token within the ${capMs / 1000} s cap (counted as ${capMs} ms: a lower bound)` : '';
  ctx.record(
    rowResult(rowId, s.p99, null, `${users.length} users: p50 ${s.p50.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms; executeStage answered p50 ${a.p50.toFixed(0)} ms, p99 ${a.p99.toFixed(0)} ms${censored}`),
  );
}

/** Runs the three first-token rows; returns the users it signed up. */
export async function firstToken(ctx: BenchContext, data: AppData): Promise<User[]> {
  let app = await startApp(ctx.host, data, 'all', { OFFLINE_TOKEN_DELAY_MS: '0', OFFLINE_STEP_DELAY_MS: '0' });
  let users: User[];
  try {
    users = await app.api.signUpMany(ctx.sizes.crowdUsers);
    await oneUser(ctx, app, users[0]);
    ctx.progress(`first token: ${users.length} users at once, default settings`);
  } finally {
    await app.stop();
  }
  app = await startApp(ctx.host, data, 'all');
  let projects: string[];
  try {
    projects = await mapLimit(users.length, 8, (i) => app.api.createProject(users[i].token));
    await crowd(ctx, app, 'first-token-100-users', users, projects);
    ctx.progress(`first token: ${users.length} users at once, WORKER_CONCURRENCY=100`);
  } finally {
    await app.stop();
  }
  app = await startApp(ctx.host, data, 'all', { WORKER_CONCURRENCY: '100' });
  try {
    await crowd(ctx, app, 'first-token-100-users-c100', users, projects);
  } finally {
    await app.stop();
  }
  return users;
}
