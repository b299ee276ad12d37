// `npm run soak`: the service under load and faults, end to end, then its invariants.
//
// A private redis-server (AOF on), a fresh PostgreSQL database and the fake OpenAI server
// (test/helpers) in this process; 2 API and 2 worker processes started as in production.
// SOAK_TASKS tasks (default 1,000; SOAK_QUICK=1: 60) are created over both APIs, a share of
// them followed over graphql-ws and a share cancelled, while the provider answers 429, 500
// and cut streams at random; mid-run one worker is SIGKILLed (a replacement is started) and
// Redis is restarted. Then every task must be final within SOAK_BOUND_S of the last fault,
// every log gapless with one final event, last, every subscription ended with what it was
// owed, and the credits ledger balanced. Prints the figures; exits 1 on any violation.
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { freePort } from '../../test/helpers/free-port.ts';
import { checkLogs, checkSubscriptions, type Violation } from './checks.ts';
import { activeCounts, openDb, readTasks, type TaskRecord } from './database.ts';
import { GqlFailure, retryStats } from './gql.ts';
import { checkLedger } from './ledger.ts';
import { runLoad } from './load.ts';
import { exitOf, startServer, type ServerProcess } from './processes.ts';
import { startSoakProvider } from './provider.ts';
import { startPrivateRedis } from './redis-server.ts';
import { printReport } from './report.ts';
import { percentile, seededRandom, sleep, soakSettings } from './settings.ts';
import type { SubscriberRecord } from './subscriber.ts';

const INITIAL_CREDITS = 1000;
const settings = soakSettings();
const t0 = Date.now();
const at = (ms: number) => `+${((ms - t0) / 1000).toFixed(1)} s`;
const log = (line: string) => process.stdout.write(`[soak ${at(Date.now())}] ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const cleanup: Array<() => Promise<void>> = [];
let failed = true;

// What to SIGKILL when the run is abandoned (watchdog, Ctrl-C), so no process outlives it.
const spawned: Array<{ kill(signal: NodeJS.Signals): void }> = [];
function abandon(why: string, code: number): never {
  process.stderr.write(`soak: ${why}; killing its processes (run folder ${dir})\n`);
  for (const p of spawned) p.kill('SIGKILL');
  process.exit(code);
}
process.once('SIGINT', () => abandon('interrupted', 130));
process.once('SIGTERM', () => abandon('terminated', 143));
// However it goes, the run ends: setup, load, the bound and the checks, with room to spare.
const watchdogMs = 5 * 60_000 + (settings.tasks / settings.ratePerSecond) * 2000 + settings.boundSeconds * 2000;
setTimeout(() => abandon(`watchdog: still running after ${Math.round(watchdogMs / 1000)} s`, 3), watchdogMs).unref();

async function main(): Promise<boolean> {
  log(`${settings.tasks} tasks, ${settings.users} users, seed ${settings.seed}${settings.quick ? ' (quick)' : ''}; run folder ${dir}`);
  const random = seededRandom(settings.seed);

  const redis = await startPrivateRedis(await freePort(), join(dir, 'redis'));
  cleanup.push(() => redis.stop());
  spawned.push({ kill: () => redis.kill() });
  const database = await createTestDatabase('postgres');
  cleanup.push(async () => {
    if (failed || settings.keep) log(`kept database ${database.url}`);
    else await database.drop();
  });
  const provider = await startSoakProvider(seededRandom(settings.seed + 1));
  cleanup.push(() => provider.close());
  mkdirSync(join(dir, 'media'));

  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'soak:',
    DATABASE_URL: database.url,
    OPENAI_API_KEY: 'soak-key',
    OPENAI_BASE_URL: `${provider.fake.url}/v1`,
    PROVIDER_ALLOW_LOOPBACK: '1',
    CLIENT_BUILD: '0',
    START_LOCAL_REDIS: '0',
    WORKER_LOCK_MS: '3000',
    RETRY_BACKOFF_MS: '100',
    RATE_SIGNUP_PER_IP: '0/1',
    RATE_SIGNIN_PER_IP: '0/1',
    RATE_TASKS_PER_USER: '0/1',
    RATE_SUBSCRIPTIONS_PER_USER: '0/1',
    MAX_SUBSCRIPTIONS_PER_USER: '100000',
    MAX_SSE_STREAMS_PER_USER: '1000',
    WORKER_CONCURRENCY: String(settings.workerConcurrency),
    VIDEO_POLL_INTERVAL_MS: '100',
    INITIAL_CREDITS: String(INITIAL_CREDITS),
    MEDIA_DIR: join(dir, 'media'),
  };
  const servers: ServerProcess[] = [];
  const start = (name: string, role: 'api' | 'worker', port?: number) => {
    const server = startServer({ name, role, port, env, dir });
    servers.push(server);
    spawned.push(server);
    return server;
  };
  cleanup.push(async () => void (await Promise.all(servers.map((s) => s.stop()))));

  // The first API applies the migrations; the rest start once it has.
  const api1 = start('api-1', 'api', await freePort());
  await api1.ready();
  const api2 = start('api-2', 'api', await freePort());
  const worker1 = start('worker-1', 'worker');
  const worker2 = start('worker-2', 'worker');
  await Promise.all([api2.ready(), worker1.ready(), worker2.ready()]);
  // Clients go to the APIs that still run, as behind a load balancer; a dead one is a violation below.
  const apiServers = [api1, api2];
  const apis = {
    pick: () => {
      const live = apiServers.filter((a) => a.alive());
      if (live.length === 0) throw new GqlFailure('NO_API', 'every API process has exited');
      return live[Math.floor(Math.random() * live.length)]!.url!;
    },
  };
  log(`up: ${servers.map((s) => `${s.name} (pid ${s.child.pid})`).join(', ')}; redis ${redis.url}; database ${database.url}; provider ${provider.fake.url}`);

  // The chaos schedule hangs on how many tasks exist.
  const faults: string[] = [];
  const chaos: Array<Promise<void>> = [];
  let lastFaultAt = 0;
  let killed = false;
  let restarted = false;
  const onCreated = (count: number) => {
    if (!killed && count >= settings.tasks * settings.killAt) {
      killed = true;
      chaos.push(
        (async () => {
          const killedAt = Date.now();
          worker1.kill('SIGKILL');
          await exitOf(worker1.child);
          log(`worker-1 SIGKILLed at ${count} tasks`);
          await sleep(3000);
          const replacement = start('worker-3', 'worker');
          await replacement.ready();
          faults.push(`fault: worker-1 SIGKILLed at ${at(killedAt)} (${count} tasks created); worker-3 started in its place, ready at ${at(Date.now())}`);
          lastFaultAt = Math.max(lastFaultAt, killedAt);
        })(),
      );
    }
    if (!restarted && count >= settings.tasks * settings.redisRestartAt) {
      restarted = true;
      chaos.push(
        (async () => {
          const stoppedAt = Date.now();
          log(`restarting Redis at ${count} tasks (SIGTERM, ${settings.redisDownMs} ms down)`);
          await redis.restart(settings.redisDownMs);
          const backAt = Date.now();
          log('Redis is back');
          faults.push(`fault: Redis restarted at ${at(stoppedAt)} (${count} tasks created), SIGTERM → answering again after ${((backAt - stoppedAt) / 1000).toFixed(1)} s (AOF reloaded)`);
          lastFaultAt = Math.max(lastFaultAt, backAt);
        })(),
      );
    }
  };

  const giveUp = new AbortController();
  setMaxListeners(settings.tasks * 2, giveUp.signal); // one listener per open subscription
  provider.faults(settings.faultRate);
  const load = await runLoad({ pickApi: apis.pick, settings, random, onCreated, giveUp: giveUp.signal, log });
  provider.faults(0);
  lastFaultAt = Math.max(lastFaultAt, Date.now());
  await Promise.all(chaos);
  log(`load done: ${load.tasks.size} tasks created in ${((load.endedAt - load.startedAt) / 1000).toFixed(1)} s; provider faults off`);

  // Every task final within the bound after the last fault.
  const db = await openDb(database.url);
  cleanup.push(() => db.close());
  const deadline = lastFaultAt + settings.boundSeconds * 1000;
  let allFinalAt: number | null = null;
  for (let lastLog = 0; Date.now() < deadline; await sleep(1000)) {
    const active = await activeCounts(db).catch(() => ({ unknown: -1 }));
    if (Object.keys(active).length === 0) {
      allFinalAt = Date.now();
      break;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`waiting for ${Object.entries(active).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    }
  }
  log(allFinalAt ? 'every task is final' : `deadline passed (${settings.boundSeconds} s after the last fault) with tasks still active`);

  // Subscriptions have until the same deadline to end.
  const subscriberTimer = setTimeout(() => giveUp.abort(), Math.max(0, deadline - Date.now()));
  const records: SubscriberRecord[] = await Promise.all(load.subscribers);
  clearTimeout(subscriberTimer);
  log(`${records.length} subscriptions ended; checking`);

  const tasks = await readTasks(db);
  const tokens = new Map(load.users.map((u) => [u.id, u.token]));
  const pickApi = apis.pick;
  const logs = await checkLogs(tasks, (id) => tokens.get(id), pickApi);
  const subscriptions = checkSubscriptions(records, logs.logs);
  const ledger = await checkLedger(db, INITIAL_CREDITS, load.users, pickApi);
  const violations: Violation[] = [];
  for (const t of tasks) {
    if (t.finishedMs === null) violations.push({ taskId: t.id, what: `not final after the bound: ${describeTask(t, tasks)}` });
    else if (t.finishedMs > deadline) violations.push({ taskId: t.id, what: `final ${((t.finishedMs - lastFaultAt) / 1000).toFixed(1)} s after the last fault, past the bound` });
  }
  const unknown = [...load.tasks.keys()].filter((id) => !tasks.some((t) => t.id === id));
  for (const id of unknown) violations.push({ taskId: id, what: 'a client was given this task, but the database has no such task' });
  for (const f of load.createFailures) violations.push({ taskId: '-', what: `creation failed: ${f}` });
  for (const f of load.cancels.failed) violations.push({ taskId: f.slice(0, 36), what: `cancelTask failed: ${f.slice(38)}` });
  violations.push(...logs.violations, ...subscriptions.violations, ...ledger.violations);
  for (const server of servers) {
    const exit = server.unexpectedExit();
    if (exit) violations.unshift({ taskId: '-', what: `${server.name} (pid ${server.child.pid}) ${exit}; its log ends:\n      ${server.tail(8).join('\n      ')}` });
  }

  const counts = provider.counts();
  const cancelMs = [...load.cancels.answeredMs].sort((a, b) => a - b);
  const createMs = [...load.createAnsweredMs].sort((a, b) => a - b);
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const retried = Object.entries(retryStats.retried).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  printReport({
    header: `soak: ${settings.tasks} tasks planned, ${settings.users} users, 2 APIs + 2 workers (concurrency ${settings.workerConcurrency} each), seed ${settings.seed}`,
    faults: [
      `fault: provider faults on ${counts.requests} requests while loading (rate ${settings.faultRate}): ${Object.entries(counts.faults).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`,
      ...faults,
    ],
    load: [
      `load: ${load.tasks.size} tasks created in ${((load.endedAt - load.startedAt) / 1000).toFixed(1)} s over 2 APIs; executeStage/runPipeline answered in p50 ${secs(percentile(createMs, 50))}, p99 ${secs(percentile(createMs, 99))}; client calls retried after ${retried}`,
      `cancels: ${load.cancels.requested} requested, ${load.cancels.accepted} accepted, ${load.cancels.alreadyFinal} answered CONFLICT (already final), ${load.cancels.failed.length} failed; ` +
        `accepted ones answered in p50 ${secs(percentile(cancelMs, 50))}, p99 ${secs(percentile(cancelMs, 99))}, ${cancelMs.filter((ms) => ms > 2000).length} over 2 s`,
    ],
    tasks,
    lastFaultAt,
    boundSeconds: settings.boundSeconds,
    allFinalAt,
    logs,
    subscriptions,
    ledger,
    violations,
    logFiles: servers.map((s) => s.logFile),
    tookMs: Date.now() - t0,
  });
  return violations.length === 0 && allFinalAt !== null;
}

/** A task's state, and for a pipeline's task its siblings', as evidence. */
function describeTask(t: TaskRecord, all: TaskRecord[]): string {
  const state = (x: TaskRecord) =>
    `${x.stage} ${x.status}, attempt ${x.attempt}, lastSeq ${x.lastSeq}${x.waitingOn ? `, waiting on ${x.waitingOn}` : ''}${x.message ? ` ("${x.message}")` : ''}` +
    `, created ${new Date(x.createdMs).toISOString()}${x.finishedMs ? `, finished ${new Date(x.finishedMs).toISOString()}` : ''}`;
  if (!t.pipelineId) return state(t);
  const siblings = all.filter((x) => x.pipelineId === t.pipelineId && x.id !== t.id);
  return `${state(t)}; pipeline ${t.pipelineId}: ${siblings.map((x) => `${x.id} ${state(x)}`).join('; ')}`;
}

let passed = false;
try {
  passed = await main();
  failed = !passed;
} catch (err) {
  process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  for (const step of cleanup.reverse()) await step().catch((err: unknown) => process.stderr.write(`soak: cleanup: ${String(err)}\n`));
  if (passed && !settings.keep) rmSync(dir, { recursive: true, force: true });
  else log(`run folder kept: ${dir} (process logs, Redis AOF)`);
}
process.exit(passed ? 0 : 1);
