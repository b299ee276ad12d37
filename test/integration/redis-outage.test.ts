// When Redis goes away, mutations fail with SERVICE_UNAVAILABLE, the process stays up and
// /ready says 503; when it comes back, everything works again by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { freePort } from '../helpers/free-port.ts';

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
}
const stopRedis = (p: ChildProcess) => new Promise<void>((ok) => (p.exitCode !== null ? ok() : (p.once('exit', () => ok()), p.kill('SIGKILL'))));

describe('Redis outage', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestApp;

  beforeAll(async () => {
    port = await freePort();
    redis = startRedis(port);
    t = await waitFor(() => startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } }), { what: 'the app on its own Redis' });
  });
  afterAll(async () => {
    await t?.stop().catch(() => {});
    await stopRedis(redis);
  });

  it('refuses mutations clearly while Redis is down and recovers by itself', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Outage', originalTopic: 'a power cut' } }, token);
    const projectId = p.data.createProject.id;

    await stopRedis(redis);
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.redis).toBe('unreachable');
    const refused = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    expect(refused.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.errors?.[0].message).not.toMatch(/ECONN|at \w+ \(/);
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000); // nothing charged
    expect((await fetch(`${t.url}/health`)).status).toBe(200);

    redis = startRedis(port);
    await waitFor(async () => (await fetch(`${t.url}/ready`)).status === 200, { what: 'readiness to return', timeoutMs: 20_000 });
    const r = await waitFor(async () => {
      const res = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
      return res.data?.executeStage ? res : null;
    }, { timeoutMs: 20_000 });
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: r.data.executeStage.id, after: 0 });
    await sub.done;
    expect(sub.events.at(-1).__typename).toBe('CompletedEvent');
  });
});
