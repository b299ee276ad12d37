// An admin cannot turn a provider record into a way to read the server's environment or to
// reach its network: key variables are limited to PROVIDER_KEY_* and OPENAI_API_KEY, base
// URLs to https on public addresses (checked again after DNS resolution, at connect time),
// redirects are not followed, provider error bodies are not shown to users, and every text
// request carries the token cap. Through the public GraphQL API, with real listeners.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelProvider } from '../../server/db/entities.ts';
import { createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';

const CREATE = `mutation($i: CreateModelProviderInput!) { createModelProvider(input: $i) { id name baseUrl apiKeyEnv keyPresent } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateModelProviderInput!) { updateModelProvider(id: $id, input: $i) { id } }`;
const DELETE = `mutation($id: ID!) { deleteModelProvider(id: $id) }`;
const LIST = `{ modelProviders { id name kind baseUrl apiKeyEnv keyPresent model active priority updatedAt } }`;
const ME = `{ me { credits } projects { id } }`;

const listen = <S extends HttpServer | NetServer>(server: S) =>
  new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port)));
const close = (server: HttpServer | NetServer | undefined) =>
  new Promise<void>((ok) => {
    if (!server) return ok();
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => ok());
  });

/** Runs a stage to its end and returns the task and its events. */
async function run(t: TestApp, token: string, stage = 'REWRITE') {
  const p = await t.gql(CREATE_PROJECT, { i: { name: 'Security', originalTopic: 'a lighthouse' } }, token);
  const r = await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage } }, token);
  expect(r.errors).toBeUndefined();
  const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: r.data.executeStage.id, after: 0 });
  await sub.done;
  const task = (await t.gql(TASK, { id: r.data.executeStage.id }, token)).data.task;
  return { task, events: sub.events, charged: r.data.executeStage.creditsCharged as number };
}

describe('provider records: what an admin may configure (loopback not allowed)', () => {
  let t: TestApp;
  let admin: { token: string };
  /** Counts every TCP connection, TLS or not: a refused lookup must leave it at 0. */
  let listener: NetServer;
  let connections = 0;
  let port: number;

  beforeAll(async () => {
    process.env.PROVIDER_KEY_FAKE = 'fake-provider-key';
    listener = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    port = await listen(listener);
    t = await startTestApp({ env: { RETRY_BACKOFF_MS: '20' } });
    admin = await t.signUpAdmin();
  });
  afterAll(async () => {
    await t?.stop();
    await close(listener);
  });

  const valid = () => ({ name: `p-${randomUUID().slice(0, 8)}`, kind: 'TEXT', baseUrl: 'https://api.example.com/v1', apiKeyEnv: 'PROVIDER_KEY_FAKE', model: 'm', active: false });
  const snapshot = async () => ({ providers: (await t.gql(LIST, {}, admin.token)).data.modelProviders, me: (await t.gql(ME, {}, admin.token)).data });

  it.each(['DATABASE_URL', 'PATH', 'REDIS_URL', 'HOME', 'provider_key_fake', 'PROVIDER_KEY_', 'PROVIDER_KEY_FAKE ', 'sk-live-abc', ''])(
    'refuses apiKeyEnv %j on create and update, and changes nothing',
    async (apiKeyEnv) => {
      const kept = await t.gql(CREATE, { i: valid() }, admin.token);
      const before = await snapshot();
      const created = await t.gql(CREATE, { i: { ...valid(), apiKeyEnv } }, admin.token);
      expect(created.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.apiKeyEnv' });
      expect(created.errors?.[0].message).toContain('PROVIDER_KEY_');
      const updated = await t.gql(UPDATE, { id: kept.data.createModelProvider.id, i: { apiKeyEnv } }, admin.token);
      expect(updated.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.apiKeyEnv' });
      expect(await snapshot()).toEqual(before);
      await t.gql(DELETE, { id: kept.data.createModelProvider.id }, admin.token);
    },
  );

  it.each([
    'http://example.com/v1',
    'https://169.254.169.254/',
    'https://10.0.0.1/',
    'https://172.16.5.4/v1',
    'https://192.168.1.1/v1',
    'https://100.64.0.1/v1',
    'https://0.0.0.0/v1',
    'https://[::]/v1',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/v1',
    'https://[fd00::1]/v1',
    'https://[fe80::1]/v1',
    'https://127.0.0.1/',
    'https://2130706433/v1',
    'http://localhost:8080/v1',
    'https://user:secret@api.example.com/v1',
    'ftp://example.com/v1',
    'javascript:alert(1)',
    'not a url',
  ])('refuses baseUrl %s on create and update, and changes nothing', async (baseUrl) => {
    const kept = await t.gql(CREATE, { i: valid() }, admin.token);
    const before = await snapshot();
    const created = await t.gql(CREATE, { i: { ...valid(), baseUrl } }, admin.token);
    expect(created.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.baseUrl' });
    const updated = await t.gql(UPDATE, { id: kept.data.createModelProvider.id, i: { baseUrl } }, admin.token);
    expect(updated.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.baseUrl' });
    expect(await snapshot()).toEqual(before);
    await t.gql(DELETE, { id: kept.data.createModelProvider.id }, admin.token);
  });

  it('keyPresent says nothing about variables outside the allowed names, and resolve() ignores such rows', async () => {
    // A row saved before the rule existed, naming a variable that is set (PATH always is).
    const id = randomUUID();
    const now = new Date();
    await t.app.orm.em.fork().insert(ModelProvider, {
      id,
      name: 'legacy-path',
      kind: 'text',
      baseUrl: `https://localhost:${port}/v1`,
      apiKeyEnv: 'PATH',
      model: 'm',
      active: true,
      priority: 1000,
      createdAt: now,
      updatedAt: now,
    });
    expect(process.env.PATH).toBeTruthy();
    const rows = (await t.gql(LIST, {}, admin.token)).data.modelProviders;
    expect(rows.find((r: any) => r.id === id)).toMatchObject({ apiKeyEnv: 'PATH', keyPresent: false });
    const allowed = await t.gql(CREATE, { i: { ...valid(), name: 'allowed-key' } }, admin.token);
    expect(allowed.data.createModelProvider.keyPresent).toBe(true);

    // The text stage runs on the offline provider: the legacy row is never used.
    const { token } = await t.signUp();
    const { task, events } = await run(t, token);
    expect(task.status).toBe('COMPLETED');
    expect(events.find((e) => e.__typename === 'TokenEvent')).toMatchObject({ provider: 'offline' });
    expect(connections).toBe(0);
    await t.gql(DELETE, { id }, admin.token);
    await t.gql(DELETE, { id: allowed.data.createModelProvider.id }, admin.token);
  });

  it('a host name that resolves to loopback is refused at connect time: nothing reaches it, the task fails, credits come back', async () => {
    const made = await t.gql(CREATE, { i: { ...valid(), name: 'resolves-to-loopback', baseUrl: `https://localhost:${port}/v1`, active: true } }, admin.token);
    expect(made.errors).toBeUndefined(); // a name: it is checked when a connection is made
    try {
      const { token } = await t.signUp();
      const before = (await t.gql(ME, {}, token)).data.me.credits;
      const { task, events, charged } = await run(t, token);
      expect(charged).toBeGreaterThan(0);
      expect(task).toMatchObject({ status: 'FAILED', error: { code: 'PROVIDER_ADDRESS_REFUSED', retryable: false } });
      expect(task.error.message).toBe("The model provider's address is not allowed.");
      expect(events.at(-1)).toMatchObject({ __typename: 'FailedEvent', willRetry: false });
      expect(connections).toBe(0);
      expect((await t.gql(ME, {}, token)).data.me.credits).toBe(before);
    } finally {
      await t.gql(DELETE, { id: made.data.createModelProvider.id }, admin.token);
    }
  });
});

describe('provider calls (loopback allowed for the fake servers)', () => {
  let t: TestApp;
  let fake: FakeOpenAI;
  let admin: { token: string };
  const logs: string[] = [];

  beforeAll(async () => {
    process.env.PROVIDER_KEY_FAKE = 'fake-provider-key';
    fake = await createFakeOpenAI();
    t = await startTestApp({
      env: { PROVIDER_ALLOW_LOOPBACK: '1', TEXT_MAX_TOKENS: '123', RETRY_BACKOFF_MS: '20' },
      overrides: { log: (msg) => void logs.push(msg) },
    });
    admin = await t.signUpAdmin();
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  async function withProvider<T>(baseUrl: string, body: () => Promise<T>): Promise<T> {
    const made = await t.gql(CREATE, { i: { name: `p-${randomUUID().slice(0, 8)}`, kind: 'TEXT', baseUrl, apiKeyEnv: 'PROVIDER_KEY_FAKE', model: 'fake-model' } }, admin.token);
    expect(made.errors).toBeUndefined();
    try {
      return await body();
    } finally {
      await t.gql(DELETE, { id: made.data.createModelProvider.id }, admin.token);
    }
  }

  it('sends TEXT_MAX_TOKENS as max_completion_tokens with every text request, and the allowed key', async () => {
    fake.reset();
    await withProvider(`${fake.url}/v1`, async () => {
      const { token } = await t.signUp();
      const { task } = await run(t, token);
      expect(task.status).toBe('COMPLETED');
    });
    const chat = fake.requests.find((r) => r.route === 'chat')!;
    expect(chat.body).toMatchObject({ model: 'fake-model', max_completion_tokens: 123 });
    expect(chat.headers.authorization).toBe('Bearer fake-provider-key');
  });

  it('does not show a provider error body to the user; the server log has it', async () => {
    fake.reset();
    fake.failNext('chat', { status: 400, message: 'sk-live-SECRET leaked' });
    await withProvider(`${fake.url}/v1`, async () => {
      const { token } = await t.signUp();
      const { task, events } = await run(t, token);
      expect(task).toMatchObject({ status: 'FAILED', error: { code: 'PROVIDER_BAD_REQUEST', message: 'The model provider refused the request.', retryable: false } });
      const failed = events.filter((e) => e.__typename === 'FailedEvent');
      expect(failed.length).toBeGreaterThan(0);
      expect(JSON.stringify([task, events])).not.toContain('SECRET');
      expect((await t.gql(ME, {}, token)).data.me.credits).toBe(1000);
    });
    expect(logs.some((l) => l.includes('PROVIDER_BAD_REQUEST') && l.includes('sk-live-SECRET leaked'))).toBe(true);
  });

  it('does not follow a redirect: the target receives nothing, the task fails, credits come back', async () => {
    let targetRequests = 0;
    const target = createHttpServer((_req, res) => {
      targetRequests++;
      res.end('{}');
    });
    const targetPort = await listen(target);
    let redirectorRequests = 0;
    const redirector = createHttpServer((req, res) => {
      redirectorRequests++;
      res.writeHead(302, { location: `http://127.0.0.1:${targetPort}${req.url}` });
      res.end();
    });
    const redirectorPort = await listen(redirector);
    try {
      await withProvider(`http://127.0.0.1:${redirectorPort}/v1`, async () => {
        const { token } = await t.signUp();
        const { task, events } = await run(t, token);
        expect(task).toMatchObject({ status: 'FAILED', attempt: 1, error: { code: 'PROVIDER_REDIRECT', retryable: false } });
        expect(events.at(-1)).toMatchObject({ __typename: 'FailedEvent', willRetry: false });
        expect((await t.gql(ME, {}, token)).data.me.credits).toBe(1000);
      });
      expect(redirectorRequests).toBe(1);
      expect(targetRequests).toBe(0);
    } finally {
      await close(redirector);
      await close(target);
    }
  });

  it('caps a provider retry-after at MAX_RETRY_AFTER_MS', async () => {
    fake.reset();
    fake.failNext('chat', { status: 429, retryAfterSeconds: 7 * 86400 });
    const capped = await startTestApp({ env: { PROVIDER_ALLOW_LOOPBACK: '1', MAX_RETRY_AFTER_MS: '300', RETRY_BACKOFF_MS: '20' } });
    try {
      const owner = await capped.signUpAdmin();
      await capped.gql(CREATE, { i: { name: 'capped', kind: 'TEXT', baseUrl: `${fake.url}/v1`, apiKeyEnv: 'PROVIDER_KEY_FAKE', model: 'fake-model' } }, owner.token);
      const { token } = await capped.signUp();
      const { task, events } = await run(capped, token);
      expect(task).toMatchObject({ status: 'COMPLETED', attempt: 2 });
      const failed = events.find((e) => e.__typename === 'FailedEvent');
      expect(failed).toMatchObject({ willRetry: true, error: { code: 'PROVIDER_RATE_LIMITED' } });
      expect(failed.retryInMs).toBeLessThan(1000);
    } finally {
      await capped.stop();
    }
  });
});
