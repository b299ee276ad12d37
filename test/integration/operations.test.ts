// What an operator meets: the compose file and the image's commands (run here as processes,
// since no container engine runs on this machine), the proxy's configuration, /metrics, the
// queue dashboard, 404 for unknown paths, JSON logs, `npm start` stopping with nothing left
// behind, and GraphiQL opening on the README's first session.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseGraphQL, validate } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { DASHBOARD_COOKIE } from '../../server/api/queue-dashboard.ts';
import { FIRST_SESSION } from '../../server/api/first-session.ts';
import { createLogger } from '../../server/logger.ts';
import { buildSchema } from '../../server/schema/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { freePort } from '../helpers/free-port.ts';
import { metricValue, parseMetrics, type Sample } from '../helpers/prometheus.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK_PROGRESS } from '../helpers/queries.ts';
import { startProcess, type ServiceProcess } from '../helpers/service-process.ts';
import { deleteKeys, REDIS_URL, startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const ROOT = join(import.meta.dirname, '../..');
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const PASSWORD = 'correct horse battery'; // what test-app's signUp uses
const RUN_PIPELINE = `mutation($p: ID!) { runPipeline(projectId: $p) { id stage } }`;
const STAGE_PROGRESS = `subscription($p: ID!, $s: StageName!, $after: Int) { stageProgress(projectId: $p, stage: $s, after: $after) { __typename seq taskId ... on TaskStatusEvent { status } } }`;
const CLIPS = `query($id: ID!) { project(id: $id) { stages { name output { ... on VideoOutput { clips { url } } } } } }`;

/** `docker compose config` (Compose v2), else `docker-compose config` (v1): the file as Compose reads it. */
function composeConfig(): any {
  const env = { ...process.env, METRICS_TOKEN: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', PUBLIC_URL: '', PORT: '' };
  const failures: string[] = [];
  for (const [command, args] of [
    ['docker', ['compose', 'config']],
    ['docker-compose', ['config']],
  ] as const) {
    const run = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8' });
    if (run.status === 0) return parseYaml(run.stdout);
    failures.push(`${command} ${args.join(' ')}: ${run.error?.message ?? run.stderr.trim()}`);
  }
  throw new Error(`Compose is not installed or rejects docker-compose.yml (.ci/run installs docker-compose):\n${failures.join('\n')}`);
}

/** The runtime image's ENV (the last stage's), as `KEY=value` pairs. */
function imageEnv(dockerfile: string): Record<string, string> {
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env = /\nENV ((?:[^\n]*\\\n)*[^\n]*)/.exec(lastStage)![1].replace(/\\\n/g, ' ');
  return Object.fromEntries([...env.matchAll(/(\w+)=(\S+)/g)].map(([, k, v]) => [k, v]));
}

/** One GraphQL subscription over SSE (yoga's "distinct connections" mode): events as they arrive. */
function sseSubscribe(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const events: any[] = [];
  const controller = new AbortController();
  let ended = false;
  const done = (async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.headers.get('content-type')?.includes('text/event-stream')) throw new Error(`SSE refused: ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (data) events.push(Object.values(JSON.parse(data).data ?? {})[0]);
      }
    }
  })()
    .catch((err) => {
      if (!controller.signal.aborted) throw err;
    })
    .finally(() => (ended = true));
  return { events, done, ended: () => ended, stop: () => controller.abort() };
}

async function scrape(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

describe('compose and the image', () => {
  it('`docker compose config` parses and lists redis, postgres, migrate, api, worker and proxy, with health checks and start conditions', () => {
    const { services, volumes } = composeConfig();
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'proxy', 'redis', 'worker']);
    for (const name of ['redis', 'postgres', 'api', 'worker', 'proxy']) expect(services[name].healthcheck?.test, name).toBeTruthy();
    expect(services.redis.command.join(' ')).toMatch(/--appendonly yes/);
    expect(services.redis.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    }
    expect(services.proxy.depends_on.api.condition).toBe('service_healthy');
    // One image for every role, chosen by the command.
    for (const name of ['migrate', 'api', 'worker']) expect(services[name].image).toBe(services.api.image);
    expect(services.migrate.command).toEqual(['node', '--import', 'tsx', 'server/db/migrate.ts']);
    expect(services.api.command).toEqual(['node', '--import', 'tsx', 'server/main.ts', '--role=api']);
    expect(services.worker.command).toEqual(['node', '--import', 'tsx', 'server/main.ts', '--role=worker']);
    // Scalable: no API or worker claims a host port; the proxy has the one.
    expect(services.api.ports).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
    expect(services.proxy.ports).toHaveLength(1);
    expect(services.api.environment).toMatchObject({ TRUST_PROXY: '1', PUBLIC_URL: 'http://localhost:4000' });
    // Media on one volume that both roles mount where MEDIA_DIR points.
    const mediaMount = (name: string) => services[name].volumes.find((v: any) => (typeof v === 'string' ? v : v.source)?.startsWith('media'));
    const target = (v: any) => (typeof v === 'string' ? v.split(':')[1] : v.target);
    expect(target(mediaMount('api'))).toBe(services.api.environment.MEDIA_DIR);
    expect(target(mediaMount('worker'))).toBe(services.worker.environment.MEDIA_DIR);
    expect(Object.keys(volumes)).toEqual(expect.arrayContaining(['media', 'redis', 'postgres']));
  });

  it('the Dockerfile builds in stages and runs as a non-root user under tini with NODE_ENV=production', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:20-bookworm-slim/);
    expect(dockerfile).toMatch(/RUN npm ci --no-audit/);
    expect(dockerfile).toMatch(/RUN npm run build:client/);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).toMatch(/^CMD \["node", "--import", "tsx", "server\/main.ts", "--role=api"\]$/m);
    expect(imageEnv(dockerfile)).toMatchObject({ NODE_ENV: 'production', CLIENT_BUILD: '0' });
    // tsx, the loader the commands use, is a runtime dependency: `npm ci --omit=dev` keeps it.
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies.tsx).toBeTruthy();
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', 'data', 'client/dist']));
  });
});

describe('the services as processes: migrate, two APIs and two workers on PostgreSQL, and the proxy', () => {
  const procs: ServiceProcess[] = [];
  let db: TestDatabase | undefined;
  let media: string | undefined;
  const prefix = `test-ops-${randomUUID().slice(0, 8)}:`;
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop(5000)));
    await deleteKeys(prefix);
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  it('runs a pipeline with GraphQL over HTTP on one API and the subscription on the other; the proxy passes WebSocket and unbuffered SSE', async () => {
    const { services } = composeConfig();
    const image = imageEnv(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    db = await createTestDatabase('postgres');
    media = mkdtempSync(join(tmpdir(), 'sp-media-'));
    const [api1, api2, metrics1, metrics2, metricsW1, metricsW2, proxyPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    // Docker's order: the image's ENV, then the service's environment; then what differs on
    // this machine (the addresses of Redis, PostgreSQL and the ports) and quick offline stages.
    const envOf = (service: string, local: Record<string, string>) => ({
      ...process.env,
      ...image,
      ...services[service].environment,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: db!.url,
      MEDIA_DIR: media!,
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${api1}`,
      OFFLINE_TOKEN_DELAY_MS: '1',
      OFFLINE_STEP_DELAY_MS: '5',
      OFFLINE_CLIP_WIDTH: '160',
      FILM_HEIGHT: '144',
      ...local,
    });
    const start = (name: string, service: string, local: Record<string, string> = {}) => {
      const [bin, ...args] = services[service].command as string[];
      expect(bin).toBe('node');
      const p = startProcess(name, process.execPath, args, { cwd: ROOT, env: envOf(service, local) });
      procs.push(p);
      return p;
    };

    const migrate = start('migrate', 'migrate');
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.output()).toMatch(/applied /);

    const apis = [start('api-1', 'api', { PORT: String(api1), METRICS_PORT: String(metrics1) }), start('api-2', 'api', { PORT: String(api2), METRICS_PORT: String(metrics2) })];
    const workers = [start('worker-1', 'worker', { METRICS_PORT: String(metricsW1) }), start('worker-2', 'worker', { METRICS_PORT: String(metricsW2) })];
    await Promise.all([...apis.map((p) => p.waitForOutput('Story Pipeline is up')), ...workers.map((p) => p.waitForOutput('worker running'))]);
    // What the compose health checks ask.
    for (const port of [api1, api2, metricsW1, metricsW2]) expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

    const http = `http://127.0.0.1:${api1}`;
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) =>
      (await (
        await fetch(`${http}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as any;
    const signUp = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, { i: { email: `ops-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD } });
    const token = signUp.data.signUp.token as string;
    const projectId = (await gql(CREATE_PROJECT, { i: { name: '港口', originalTopic: '一艘夜里回港的渔船' } }, token)).data.createProject.id;
    const run = await gql(RUN_PIPELINE, { p: projectId }, token);
    expect(run.errors).toBeUndefined();
    // The film is the last task: when it ends, every task has.
    const videoTask = run.data.runPipeline.find((t: any) => t.stage === 'FILM').id;

    // The subscription on the other API instance.
    const ws = createClient({ url: `ws://127.0.0.1:${api2}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const video = subscribe(ws, TASK_PROGRESS, { taskId: videoTask, after: 0 });
    await video.done;
    await ws.dispose();
    expect(video.events.map((e) => e.seq)).toEqual(video.events.map((_, i) => i + 1));
    expect(video.events.at(-1).__typename).toBe('CompletedEvent');

    // A clip a worker wrote, served by the other API: the media volume is shared.
    const stages = (await gql(CLIPS, { id: projectId }, token)).data.project.stages;
    const clip = stages.find((s: any) => s.name === 'VIDEO_GENERATION').output.clips[0].url as string;
    expect(clip.startsWith(`http://127.0.0.1:${api1}/media/`)).toBe(true);
    expect((await fetch(clip.replace(String(api1), String(api2)))).status).toBe(200);

    // The workers did the tasks between them; the APIs delivered the events.
    const workerMetrics = await Promise.all([metricsW1, metricsW2].map((port) => scrape(`http://127.0.0.1:${port}/metrics`)));
    const completed = workerMetrics.map((s) => metricValue(s, 'sp_tasks_finished_total', { role: 'worker', status: 'COMPLETED' }));
    expect(completed[0] + completed[1]).toBe(7);
    const delivered = metricValue(await scrape(`http://127.0.0.1:${metrics2}/metrics`), 'sp_subscription_deliveries_total', { role: 'api', transport: 'ws' });
    expect(delivered).toBe(video.events.length);

    // Production logs: one JSON object a line, each naming its role; a task's lines carry its id and attempt.
    for (const p of [...apis, ...workers]) {
      const lines = p
        .output()
        .split('\n')
        .filter((l) => l.trim());
      for (const line of lines) expect(() => JSON.parse(line), `${p.name}: ${line}`).not.toThrow();
      expect(lines.map((l) => JSON.parse(l).role)).toEqual(lines.map(() => p.name.replace(/-\d$/, '')));
    }
    const taskLines = workers.flatMap((p) => p.output().split('\n').filter((l) => l.includes('"attempt started'))).map((l) => JSON.parse(l));
    expect(taskLines).toHaveLength(7);
    for (const line of taskLines) expect(line).toMatchObject({ role: 'worker', attempt: 1, taskId: expect.any(String), stage: expect.any(String) });
    expect([...apis, ...workers].map((p) => p.output()).join('')).not.toContain(token);

    // The proxy, with its compose configuration (deploy/Caddyfile) in front of the second API.
    if (spawnSync('caddy', ['version']).status !== 0) throw new Error('caddy is not installed (.ci/run installs it): the proxy configuration is untested');
    const proxy = startProcess('proxy', 'caddy', ['run', '--adapter', 'caddyfile', '--config', join(ROOT, 'deploy/Caddyfile')], {
      cwd: ROOT,
      env: { ...process.env, PROXY_PORT: String(proxyPort), API_HOST: '127.0.0.1', API_PORT: String(api2), XDG_DATA_HOME: media, XDG_CONFIG_HOME: media },
    });
    procs.push(proxy);
    const proxied = `http://127.0.0.1:${proxyPort}`;
    await waitFor(async () => (await fetch(`${proxied}/health`)).status === 200, { timeoutMs: 20_000, what: 'the proxy' });
    expect((await fetch(`${proxied}/metrics`)).status).toBe(404); // never served from outside

    // SSE through the proxy: stageProgress never completes, so an event can only arrive while
    // the response is still open if the proxy passes it on at once.
    const sse = sseSubscribe(proxied, STAGE_PROGRESS, { p: projectId, s: 'REWRITE', after: 0 }, token);
    await waitFor(() => sse.events.length > 0, { what: 'the SSE stream to replay the last REWRITE' });
    const again = (await gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token)).data.executeStage.id;
    await waitFor(() => sse.events.some((e) => e.taskId === again && e.__typename === 'CompletedEvent'), { what: 'the new task to complete over SSE' });
    expect(sse.ended()).toBe(false);
    sse.stop();
    // graphql-ws through the proxy (an upgraded connection).
    const proxiedWs = createClient({ url: `ws://127.0.0.1:${proxyPort}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const replay = subscribe(proxiedWs, TASK_PROGRESS, { taskId: again, after: 0 });
    await replay.done;
    await proxiedWs.dispose();
    expect(replay.events.at(-1).__typename).toBe('CompletedEvent');

    // SIGTERM ends every role cleanly.
    const exits = await Promise.all([...apis, ...workers].map((p) => p.stop()));
    expect(exits).toEqual(exits.map(() => ({ code: 0, signal: null })));
  }, 240_000);
});

describe('in one process', () => {
  let t: TestApp;
  let fake: FakeOpenAI;
  const logLines: string[] = [];
  beforeAll(async () => {
    fake = await createFakeOpenAI({ chunkSize: 4 });
    process.env.PROVIDER_KEY_OPS = 'ops-provider-key-secret';
    t = await startTestApp({
      env: { METRICS_TOKEN, NODE_ENV: 'production', PROVIDER_ALLOW_LOOPBACK: '1', RATE_SIGNIN_PER_EMAIL: '2/600', RETRY_BACKOFF_MS: '30' },
      // The production logger, its lines captured.
      overrides: { log: createLogger('all', { json: true, destination: { write: (line: string) => logLines.push(line) } }) },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('/metrics asks for METRICS_TOKEN, and after a pipeline shows its tasks, timings, queue, events, streams, providers, retries and limits', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`)).headers.get('www-authenticate')).toMatch(/^Bearer/);

    // The text stages run on a provider of our own (the fake), whose first answer is a 500.
    const admin = await t.signUpAdmin();
    const made = await t.gql(
      `mutation($i: CreateModelProviderInput!) { createModelProvider(input: $i) { id } }`,
      { i: { name: 'ops-text', kind: 'TEXT', baseUrl: `${fake.url}/v1`, apiKeyEnv: 'PROVIDER_KEY_OPS', model: 'ops-model', priority: 50 } },
      admin.token,
    );
    expect(made.errors).toBeUndefined();
    fake.chat.respond((request: any) => {
      const system: string = request.messages[0].content;
      if (system.includes('storyboard artist')) {
        const count = Number(/exactly (\d+) consecutive scenes/.exec(system)![1]);
        return JSON.stringify({ scenes: Array.from({ length: count }, (_, i) => ({ index: i, narration: `第${i + 1}幕`, visualPrompt: `海港，第${i + 1}幕`, durationSeconds: 4 })) });
      }
      if (system.includes('director of photography')) {
        const scenes = JSON.parse(request.messages.at(-1).content).scenes as Array<{ index: number }>;
        return JSON.stringify({ shots: scenes.map((s) => ({ sceneIndex: s.index, movement: 'zoom-in', description: `推近第${s.index + 1}幕` })) });
      }
      return '夜里，一艘渔船亮着灯回到港口。';
    });
    fake.failNext('chat', { status: 500 });

    const user = await t.signUp();
    const projectId = (await t.gql(CREATE_PROJECT, { i: { name: '港口', originalTopic: '一艘夜里回港的渔船' } }, user.token)).data.createProject.id;
    const run = await t.gql(RUN_PIPELINE, { p: projectId }, user.token);
    expect(run.errors).toBeUndefined();
    const video = subscribe(t.ws(user.token), TASK_PROGRESS, { taskId: run.data.runPipeline.at(-1).id, after: 0 });
    await waitFor(() => video.events.length > 0, { what: 'the first event' });
    const during = parseMetrics(await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text());
    expect(metricValue(during, 'sp_open_subscriptions', { transport: 'ws' })).toBe(1);
    await video.done;
    expect(video.events.at(-1).__typename).toBe('CompletedEvent');

    // Past the sign-in limit (2 per email): the third is refused.
    for (let i = 0; i < 3; i++) await t.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, { i: { email: user.email, password: 'not the password' } });

    // The last job is marked completed in the queue just after its task's final event.
    const m = await waitFor(
      async () => {
        const samples = await scrape(`${t.url}/metrics`, METRICS_TOKEN);
        return metricValue(samples, 'sp_queue_jobs', { state: 'completed' }) === 7 ? samples : null;
      },
      { what: 'the queue to count seven completed jobs' },
    );
    const stages = ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM'];
    for (const stage of stages) {
      expect(metricValue(m, 'sp_tasks_finished_total', { role: 'all', stage, status: 'COMPLETED' }), stage).toBe(1);
      expect(metricValue(m, 'sp_task_duration_seconds_count', { stage, status: 'COMPLETED' }), stage).toBe(1);
      expect(metricValue(m, 'sp_task_duration_seconds_sum', { stage, status: 'COMPLETED' }), stage).toBeGreaterThan(0);
    }
    expect(metricValue(m, 'sp_tasks_finished_total', { status: 'FAILED' })).toBe(0);
    // REWRITE's first attempt met the 500 and was retried; nothing was taken over.
    expect(metricValue(m, 'sp_task_attempts_total', { stage: 'REWRITE' })).toBe(2);
    expect(metricValue(m, 'sp_task_attempts_total')).toBe(8);
    expect(metricValue(m, 'sp_task_retries_total', { stage: 'REWRITE' })).toBe(1);
    expect(metricValue(m, 'sp_task_takeovers_total')).toBe(0);
    expect(metricValue(m, 'sp_time_to_first_token_seconds_count', { stage: 'REWRITE' })).toBe(1);
    expect(metricValue(m, 'sp_time_to_first_token_seconds_bucket', { stage: 'REWRITE', le: '+Inf' })).toBe(1);
    // Providers: the fake's 500 by its class; the offline images and clips, one call a scene.
    expect(metricValue(m, 'sp_provider_errors_total', { kind: 'text', provider: 'ops-text', class: 'PROVIDER_ERROR' })).toBe(1);
    expect(metricValue(m, 'sp_provider_calls_total', { kind: 'text', provider: 'ops-text', outcome: 'ok' })).toBe(3);
    expect(metricValue(m, 'sp_provider_calls_total', { kind: 'image', provider: 'offline', outcome: 'ok' })).toBe(5);
    expect(metricValue(m, 'sp_provider_calls_total', { kind: 'video', provider: 'offline', outcome: 'ok' })).toBe(5);
    expect(metricValue(m, 'sp_provider_calls_total', { kind: 'audio', provider: 'offline', outcome: 'ok' })).toBe(5);
    // The queue, read from Redis when scraped: seven jobs done, none waiting.
    expect(metricValue(m, 'sp_queue_jobs', { state: 'completed' })).toBe(7);
    expect(metricValue(m, 'sp_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(metricValue(m, 'sp_queue_jobs', { state: 'active' })).toBe(0);
    // Events: every event the video task's subscriber saw was appended and delivered.
    expect(metricValue(m, 'sp_events_appended_total', { type: 'token' })).toBeGreaterThan(0);
    expect(metricValue(m, 'sp_events_appended_total', { type: 'completed' })).toBe(7);
    expect(metricValue(m, 'sp_events_appended_total')).toBeGreaterThanOrEqual(video.events.length);
    expect(metricValue(m, 'sp_subscription_deliveries_total', { transport: 'ws' })).toBe(video.events.length);
    expect(metricValue(m, 'sp_open_subscriptions', { transport: 'ws' })).toBe(0);
    expect(metricValue(m, 'sp_rate_limited_total')).toBe(1);
    // The process defaults, event-loop lag among them.
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(m.some((s) => s.name === name && s.labels.role === 'all'), name).toBe(true);
    }
  });

  it('JSON log lines carry the task id, the attempt and the role, and no secrets', async () => {
    const lines = logLines.map((l) => JSON.parse(l));
    const started = lines.filter((l) => /^attempt started/.test(l.msg));
    expect(started.length).toBeGreaterThanOrEqual(5);
    for (const line of started) expect(line).toMatchObject({ level: 'info', role: 'all', taskId: expect.any(String), attempt: expect.any(Number), stage: expect.any(String) });
    expect(started.filter((l) => l.stage === 'REWRITE').map((l) => [l.attempt, l.msg])).toEqual([
      [1, 'attempt started (first)'],
      [2, 'attempt started (retry)'],
    ]);
    const retry = lines.find((l) => /retry in/.test(l.msg));
    expect(retry).toMatchObject({ stage: 'REWRITE', attempt: 1, msg: expect.stringContaining('PROVIDER_ERROR') });
    const all = logLines.join('');
    for (const secret of [PASSWORD, METRICS_TOKEN, 'ops-provider-key-secret']) expect(all).not.toContain(secret);
  });

  it('/admin/queues: 401 without a session, 403 for a user, the read-only dashboard for an administrator', async () => {
    const page = `${t.url}/admin/queues`;
    expect((await fetch(page)).status).toBe(401);
    expect((await fetch(page, { headers: { authorization: 'Bearer not-a-session' } })).status).toBe(401);
    const user = await t.signUp();
    expect((await fetch(page, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(403);
    expect((await fetch(`${page}?token=${user.token}`, { redirect: 'manual' })).status).toBe(403);

    const admin = await t.signUpAdmin();
    const byHeader = await fetch(page, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await byHeader.text()).toContain('<div id="root">');

    // A browser: ?token= once, exchanged for an HttpOnly cookie, and the token leaves the URL.
    const exchange = await fetch(`${page}?token=${encodeURIComponent(admin.token)}`, { redirect: 'manual' });
    expect(exchange.status).toBe(303);
    expect(exchange.headers.get('location')).toBe('/admin/queues');
    const cookie = exchange.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${DASHBOARD_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    const jar = { cookie: cookie.split(';')[0] };
    const html = await (await fetch(page, { headers: jar })).text();
    const script = /src="(static\/js\/main[^"]+)"/.exec(html)![1];
    const asset = await fetch(`${page}/${script}`, { headers: jar });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${page}/${script}`)).status).toBe(401); // its files are guarded too

    const api = await (await fetch(`${page}/api/queues`, { headers: jar })).json();
    const queue = api.queues.find((q: any) => q.name === 'stage-tasks');
    expect(queue).toMatchObject({ readOnlyMode: true });
    expect(queue.counts.completed).toBeGreaterThanOrEqual(5);
    // Read-only: bull-board refuses changes.
    expect((await fetch(`${page}/api/queues/stage-tasks/empty`, { method: 'PUT', headers: jar })).status).toBe(405);
    expect((await fetch(`${page}/api/queues/stage-tasks/clean/completed`, { method: 'PUT', headers: jar })).status).toBe(405);
    expect((await (await fetch(`${page}/api/queues`, { headers: jar })).json()).queues[0].counts.completed).toBe(queue.counts.completed);
  });

  it('unknown paths are 404; / is the client', async () => {
    const root = await fetch(`${t.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^text\/html/);
    for (const path of ['/nope', '/projects/1', '/metricsx', '/admin', '/admin/users', '/admin/queuesx', '/graphqlx', '/index.php']) {
      const res = await fetch(`${t.url}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await fetch(`${t.url}/nope`, { method: 'POST' })).status).toBe(404);
  });

  it('GraphiQL opens on the first session of the README, which is valid against the schema', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(JSON.stringify(FIRST_SESSION));
    expect(validate(buildSchema(), parseGraphQL(FIRST_SESSION))).toEqual([]);
    const ops = [...FIRST_SESSION.matchAll(/^(mutation|subscription) (\w+)/gm)].map((m) => m[2]);
    expect(ops).toEqual(['SignUp', 'CreateProject', 'RunStage', 'FollowTask']);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(FIRST_SESSION);
  });
});

describe('a takeover in the metrics', () => {
  let api: TestApp;
  let rescuer: TestApp | undefined;
  let doomed: ServiceProcess | undefined;
  const lock = { WORKER_LOCK_MS: '2000', OFFLINE_TOKEN_DELAY_MS: '30' };
  beforeAll(async () => {
    api = await startTestApp({ role: 'api', dialect: 'postgres' });
  });
  afterAll(async () => {
    doomed?.child.kill('SIGKILL');
    await rescuer?.stop();
    await api?.stop();
  });

  it('counts the attempt that takes over a killed worker’s task as a takeover, not a retry', async () => {
    doomed = startProcess('doomed worker', process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=worker'], {
      cwd: ROOT,
      env: { ...process.env, ...lock, REDIS_URL, REDIS_PREFIX: api.prefix, DATABASE_URL: api.databaseUrl, START_LOCAL_REDIS: '0' },
    });
    await doomed.waitForOutput('worker running');
    const { token } = await api.signUp();
    const projectId = (await api.gql(CREATE_PROJECT, { i: { name: 'Takeover', originalTopic: '一座会移动的图书馆' } }, token)).data.createProject.id;
    const taskId = (await api.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token)).data.executeStage.id;
    const sub = subscribe(api.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => sub.events.filter((e) => e.__typename === 'TokenEvent').length >= 5, { what: 'the first attempt to stream' });
    doomed.child.kill('SIGKILL');

    rescuer = await startTestApp({ role: 'worker', joinPrefix: api.prefix, joinDatabaseUrl: api.databaseUrl, env: lock });
    await sub.done;
    expect(sub.events.at(-1)).toMatchObject({ __typename: 'CompletedEvent', attempt: 2 });
    const m = parseMetrics(await rescuer.app.metrics.scrape());
    expect(metricValue(m, 'sp_task_takeovers_total', { role: 'worker', stage: 'REWRITE' })).toBe(1);
    expect(metricValue(m, 'sp_task_attempts_total', { stage: 'REWRITE' })).toBe(1);
    expect(metricValue(m, 'sp_task_retries_total')).toBe(0);
    expect(metricValue(m, 'sp_tasks_finished_total', { stage: 'REWRITE', status: 'COMPLETED' })).toBe(1);
  }, 90_000);
});

describe('without METRICS_TOKEN, with METRICS_PORT', () => {
  let t: TestApp;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    t = await startTestApp({ role: 'api', env: { METRICS_PORT: String(metricsPort), QUEUE_DASHBOARD: 'off' } });
  });
  afterAll(() => t?.stop());

  it('/metrics is 404 on the API port, and open on the metrics port (with /health and /ready, nothing else)', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${t.url}/admin/queues`)).status).toBe(404); // QUEUE_DASHBOARD=off
    const m = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(m.some((s) => s.name === 'sp_queue_jobs' || s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/ready`)).json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).toBe(404);
  });
});

describe('npm start', () => {
  it('SIGTERM ends npm and the server: nothing of its process group is left', async () => {
    const db = await createTestDatabase('sqlite');
    const prefix = `test-npmstart-${randomUUID().slice(0, 8)}:`;
    const port = await freePort();
    const npm = startProcess('npm start', 'npm', ['start'], {
      cwd: ROOT,
      detached: true, // its own process group, as a terminal would give it
      env: { ...process.env, PORT: String(port), REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: db.url, CLIENT_BUILD: '0', START_LOCAL_REDIS: '0', NODE_ENV: 'development' },
    });
    const group = () =>
      spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(([, pgid]) => pgid === String(npm.child.pid))
        .map(([pid, , ...args]) => `${pid} ${args.join(' ')}`);
    try {
      await npm.waitForOutput('Story Pipeline is up');
      const running = group();
      // npm and one node process: the server itself, with no tsx wrapper or shell between.
      expect(running.some((p) => /node --import tsx server\/main\.ts/.test(p))).toBe(true);
      expect(running.some((p) => /tsx\/dist\/cli|\bsh -c\b/.test(p))).toBe(false);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

      npm.child.kill('SIGTERM');
      expect(await npm.exited).toEqual({ code: 0, signal: null });
      await waitFor(() => group().length === 0, { timeoutMs: 10_000, what: `the process group to empty (left: ${group().join('; ')})` });
      expect(npm.output()).toContain('SIGTERM: shutting down');
    } finally {
      if (group().length) process.kill(-npm.child.pid!, 'SIGKILL');
      await deleteKeys(prefix);
      await db.drop();
    }
  }, 90_000);
});
