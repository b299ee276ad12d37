// A worker killed mid-task (SIGKILL, no goodbye) loses nothing: another worker takes the
// task over as a new attempt and the log goes on from the next seq, nothing lost or repeated.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { REDIS_URL, startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('worker death', () => {
  let api: TestApp;
  let doomed: ChildProcess;
  let rescuer: TestApp | undefined;
  const lock = { WORKER_LOCK_MS: '2000', OFFLINE_TOKEN_DELAY_MS: '30' };

  beforeAll(async () => {
    api = await startTestApp({ role: 'api', dialect: 'postgres' });
  });
  afterAll(async () => {
    doomed?.kill('SIGKILL');
    await rescuer?.stop();
    await api?.stop();
  });

  it('hands a killed worker\'s task to another as a new attempt, fenced, with a gapless log', async () => {
    // The worker to kill runs in a process of its own, exactly as `npm run start:worker`.
    // One process (no npx or shell in between), so SIGKILL hits the worker itself.
    doomed = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=worker'], {
      env: { ...process.env, ...lock, REDIS_URL, REDIS_PREFIX: api.prefix, DATABASE_URL: api.databaseUrl, START_LOCAL_REDIS: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let workerLog = '';
    doomed.stderr!.on('data', (d) => (workerLog += d));
    await waitFor(() => workerLog.includes('worker running'), { timeoutMs: 30_000, what: 'the worker process' });

    const { token } = await api.signUp();
    const p = await api.gql(CREATE_PROJECT, { i: { name: 'Doomed worker', originalTopic: '一座会移动的图书馆' } }, token);
    const taskId = (await api.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token)).data.executeStage.id;
    const sub = subscribe(api.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => sub.events.filter((e) => e.__typename === 'TokenEvent').length >= 15, { what: 'the first attempt to stream' });
    doomed.kill('SIGKILL');
    const killedAt = Date.now();

    rescuer = await startTestApp({ role: 'worker', joinPrefix: api.prefix, joinDatabaseUrl: api.databaseUrl, env: lock });
    await sub.done;
    const takeoverMs = Date.now() - killedAt;

    const events = sub.events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // nothing lost, nothing repeated
    const secondStart = events.findIndex((e) => e.status === 'RUNNING' && e.attempt === 2);
    expect(secondStart).toBeGreaterThan(0);
    expect(events.slice(secondStart).every((e) => e.attempt === 2)).toBe(true); // the dead attempt wrote nothing after
    const task = (await api.gql(TASK, { id: taskId }, token)).data.task;
    expect(task).toMatchObject({ status: 'COMPLETED', attempt: 2 });
    const secondText = events.filter((e) => e.__typename === 'TokenEvent' && e.attempt === 2).map((e) => e.delta).join('');
    expect(secondText.trim()).toBe(task.output.text);
    expect(events.filter((e) => e.__typename === 'TokenEvent').at(-1).fullText).toBe(secondText);
    expect(takeoverMs).toBeLessThan(60_000);
    console.log(`takeover and completion after SIGKILL: ${takeoverMs} ms (lock ${lock.WORKER_LOCK_MS} ms)`);
  }, 90_000);

  it('on SIGTERM a worker exits after its grace period and its task goes on elsewhere', async () => {
    const worker = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=worker'], {
      env: { ...process.env, ...lock, SHUTDOWN_GRACE_MS: '300', REDIS_URL, REDIS_PREFIX: api.prefix, DATABASE_URL: api.databaseUrl, START_LOCAL_REDIS: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let workerLog = '';
    worker.stderr!.on('data', (d) => (workerLog += d));
    await waitFor(() => workerLog.includes('worker running'), { timeoutMs: 30_000, what: 'the worker process' });
    await rescuer?.stop();
    rescuer = undefined;

    const { token } = await api.signUp();
    const p = await api.gql(CREATE_PROJECT, { i: { name: 'Shutdown', originalTopic: 'a clock that stops at midnight' } }, token);
    const taskId = (await api.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token)).data.executeStage.id;
    const sub = subscribe(api.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => sub.events.filter((e) => e.__typename === 'TokenEvent').length >= 10, { what: 'the attempt to stream' });
    const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(workerLog).toContain('left to another worker');

    rescuer = await startTestApp({ role: 'worker', joinPrefix: api.prefix, joinDatabaseUrl: api.databaseUrl, env: lock });
    await sub.done;
    expect(sub.events.map((e) => e.seq)).toEqual(sub.events.map((_, i) => i + 1));
    expect((await api.gql(TASK, { id: taskId }, token)).data.task).toMatchObject({ status: 'COMPLETED', attempt: 2 });
  }, 90_000);
});
