// Nothing hangs: Redis and PostgreSQL stop and come back (real servers of the test's own,
// restarted mid-stream) and every task still ends, every subscription gets its events or an
// end, every log stays gapless with one final event, and the ledger stays balanced.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { expectGaplessWithOneFinal, expectLedgerBalanced, isFinal, taskLog } from '../helpers/invariants.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/private-services.ts';
import { freePort } from '../helpers/free-port.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { STAGE_NAMES } from '../../server/stages/names.ts';

const STORY = 'The lighthouse keeper counted ships every night. '.repeat(30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client that keeps following a task: on a retryable error it resubscribes from its cursor. */
function follow(t: TestApp, token: string, taskId: string) {
  const events: any[] = []; // everything received so far, live
  const errors: string[] = [];
  const take = (e: any) => {
    if (e.seq > (events.at(-1)?.seq ?? 0)) events.push(e);
  };
  const done = (async () => {
    for (let round = 0; round < 20; round++) {
      const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: events.at(-1)?.seq ?? 0 });
      const push = sub.events.push.bind(sub.events);
      sub.events.push = (...items: any[]) => {
        items.forEach(take);
        return push(...items);
      };
      const ended = await sub.done.then(
        () => null,
        (err) => err,
      );
      if (!ended) return 'completed';
      const code = ended.errors?.[0]?.extensions?.code ?? 'CLOSED';
      errors.push(`${code}: ${ended.errors?.[0]?.message ?? ended.message}`);
      if (/live log .* was lost/.test(ended.errors?.[0]?.message ?? '')) return 'log lost';
      await sleep(500);
    }
    return 'gave up';
  })();
  return { events, errors, done };
}

async function startStreaming(t: TestApp, token: string) {
  const p = await t.gql(CREATE_PROJECT, { i: { name: 'Outage', originalText: STORY } }, token);
  const r = await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token);
  return r.data.executeStage.id as string;
}

describe('recovery', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!().catch(() => {});
  });
  afterAll(async () => {
    while (cleanup.length) await cleanup.pop()!().catch(() => {});
  });

  /** An app on a Redis of its own, one task streaming, and a client following it. */
  async function streamingOnPrivateRedis(opts: { aof: boolean }) {
    const redis: PrivateRedis = await startPrivateRedis(opts);
    cleanup.push(() => redis.destroy());
    const t = await startTestApp({ env: { REDIS_URL: redis.url, OFFLINE_TOKEN_DELAY_MS: '25' } });
    cleanup.push(() => t.stop());
    const { token } = await t.signUp();
    const taskId = await startStreaming(t, token);
    const client = follow(t, token, taskId);
    await waitFor(() => client.events.length >= 30, { what: 'the stream to be under way' });
    return { redis, t, token, taskId, client };
  }

  it('Redis restarted mid-stream with AOF: the attempt goes on, the subscriber gets every event, /ready tells the truth', async () => {
    const { redis, t, token, taskId, client } = await streamingOnPrivateRedis({ aof: true });

    await redis.stop();
    expect((await fetch(`${t.url}/ready`)).status).toBe(503);
    await sleep(2500);
    await redis.start();
    const back = Date.now();

    expect(await client.done).toBe('completed');
    const task = await waitFor(async () => {
      const r = (await t.gql(TASK, { id: taskId }, token)).data.task;
      return r.status === 'COMPLETED' ? r : null;
    }, { timeoutMs: 60_000, what: 'the task to complete' });
    expect(Date.now() - back).toBeLessThan(60_000);
    await waitFor(async () => (await fetch(`${t.url}/ready`)).status === 200, { timeoutMs: 20_000, what: '/ready to return to 200' });

    expectGaplessWithOneFinal(client.events, 'what the subscriber received');
    const log = await taskLog(t, token, taskId);
    expectGaplessWithOneFinal(log);
    expect(log.map((e) => e.seq)).toEqual(client.events.map((e) => e.seq));
    const text = log.filter((e) => e.__typename === 'TokenEvent' && e.attempt === task.attempt).map((e) => e.delta).join('');
    expect(text.trim()).toBe(task.output.text); // nothing lost, nothing repeated
    await expectLedgerBalanced(t);
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(990);
  }, 120_000);

  it('Redis restarted without its data: the task ends FAILED (LOG_LOST) with a refund, nobody hangs', async () => {
    const { redis, t, token, taskId, client } = await streamingOnPrivateRedis({ aof: false });

    await redis.stop();
    await sleep(1500);
    await redis.start();
    const back = Date.now();

    const task = await waitFor(async () => {
      const r = (await t.gql(TASK, { id: taskId }, token)).data?.task;
      return r?.status === 'FAILED' ? r : null;
    }, { timeoutMs: 60_000, what: 'the task to end' });
    expect(Date.now() - back).toBeLessThan(60_000);
    expect(task.error.code).toBe('LOG_LOST');
    expect(await client.done).toMatch(/log lost|completed/); // ended, one way or the other
    expect(client.errors.length + (client.events.some(isFinal) ? 1 : 0)).toBeGreaterThan(0);
    expectGaplessWithOneFinal(await taskLog(t, token, taskId), 'the log written after the loss');
    await expectLedgerBalanced(t);
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000); // refunded
  }, 120_000);

  it('Redis restarted under two APIs and two workers: every task of both ends COMPLETED, logs intact', async () => {
    const redis = await startPrivateRedis({ aof: true });
    cleanup.push(() => redis.destroy());
    const env = { REDIS_URL: redis.url, OFFLINE_TOKEN_DELAY_MS: '25', WORKER_LOCK_MS: '3000' };
    const a = await startTestApp({ role: 'api', env, dialect: 'postgres' });
    cleanup.push(() => a.stop());
    const b = await startTestApp({ role: 'api', env, joinPrefix: a.prefix, joinDatabaseUrl: a.databaseUrl });
    cleanup.push(() => b.stop());
    const workers: ChildProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const w = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=worker'], {
        env: { ...process.env, ...env, REDIS_PREFIX: a.prefix, DATABASE_URL: a.databaseUrl, START_LOCAL_REDIS: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let out = '';
      w.stderr!.on('data', (d) => (out += d));
      workers.push(w);
      cleanup.push(async () => {
        w.kill('SIGKILL');
      });
      await waitFor(() => out.includes('worker running'), { timeoutMs: 30_000, what: `worker ${i + 1}` });
    }
    const { token } = await a.signUp();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await startStreaming(i % 2 ? b : a, token));
    const clients = ids.map((id, i) => follow(i % 2 ? a : b, token, id));
    await waitFor(() => clients.every((c) => c.events.length >= 10), { what: 'every stream to be under way' });

    await redis.stop();
    await sleep(2500);
    await redis.start();

    for (const [i, c] of clients.entries()) {
      expect(await c.done, `task ${i}`).toBe('completed');
      expectGaplessWithOneFinal(c.events, `subscriber ${i}`);
      const log = await taskLog(a, token, ids[i]);
      expectGaplessWithOneFinal(log, `log ${i}`);
      expect(log.at(-1).__typename).toBe('CompletedEvent');
    }
    await expectLedgerBalanced(a);
  }, 150_000);

  it('PostgreSQL restarted while tasks run: mutations say SERVICE_UNAVAILABLE, running attempts keep their output', async () => {
    const pg: PrivatePostgres = await startPrivatePostgres();
    cleanup.push(() => pg.destroy());
    const t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '20' }, joinDatabaseUrl: pg.url });
    cleanup.push(() => t.stop());
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Database down', originalText: STORY } }, token);
    const projectId = p.data.createProject.id;
    const taskId = (await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token)).data.executeStage.id;
    const client = follow(t, token, taskId);
    await waitFor(() => client.events.length >= 10, { what: 'the stream to be under way' });

    await pg.stop();
    const refused = await t.gql(CREATE_PROJECT, { i: { name: 'Refused' } }, token);
    expect(refused.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.database).toBe('unreachable');
    await sleep(3000); // the attempt finishes its text meanwhile and waits to write its completion
    await pg.start();

    expect(await client.done).toBe('completed');
    expect(client.events.at(-1).__typename).toBe('CompletedEvent');
    const task = await waitFor(async () => {
      const r = await t.gql(TASK, { id: taskId }, token);
      return r.data?.task?.status === 'COMPLETED' ? r.data.task : null;
    }, { timeoutMs: 60_000, what: 'the completion to be written' });
    expect(task.output.text.length).toBeGreaterThan(100);
    await waitFor(async () => (await fetch(`${t.url}/ready`)).status === 200, { timeoutMs: 20_000, what: '/ready to return to 200' });
    expect((await t.gql(CREATE_PROJECT, { i: { name: 'Accepted again' } }, token)).data.createProject.id).toBeTruthy();
    expectGaplessWithOneFinal(await taskLog(t, token, taskId));
    await expectLedgerBalanced(t);
  }, 120_000);

  it('the database unreachable at start: the process waits and says so, /ready 503, then serves', async () => {
    const pg = await startPrivatePostgres({ started: false });
    cleanup.push(() => pg.destroy());
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=api'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: pg.url, REDIS_PREFIX: `wait-${port}:`, START_LOCAL_REDIS: '0', CLIENT_BUILD: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cleanup.push(async () => proc.kill('SIGKILL'));
    let out = '';
    proc.stderr!.on('data', (d) => (out += d));
    await waitFor(() => out.includes('waiting for the database'), { timeoutMs: 30_000, what: 'the process to say it waits' });
    const ready = await waitFor(() => fetch(`http://127.0.0.1:${port}/ready`).catch(() => null), { what: 'the stand-in' });
    expect(ready.status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await pg.start();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200, { timeoutMs: 30_000, what: () => `/ready 200; the process said:\n${out}` });
    const up = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ stages { name } }' }),
    });
    expect((await up.json()).data.stages).toHaveLength(STAGE_NAMES.length);
  }, 90_000);
});
