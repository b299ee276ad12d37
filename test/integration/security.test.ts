// A service strangers can use, tried as an attacker would through the public API:
// administrators only by the operator's hand, FORBIDDEN for the rest; bounded queries on
// every transport; rate limits that answer RATE_LIMITED and recover; no control characters
// in any string input; sessions that expire and end open subscriptions; a refund rule that
// cannot be farmed. Every refusal asserts that nothing changed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthToken, CreditEntry, IdempotencyKey, ModelProvider, Project, Task, User } from '../../server/db/entities.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import { CREATE_PROJECT, EVENT_FIELDS, EXECUTE_STAGE, STAGE_PROGRESS, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { STAGE_NAMES } from '../../server/stages/names.ts';
import { codeOf, sse, overWs } from '../helpers/operations.ts';

/** Counts of every table a hostile request could touch, and the user's balance. */
async function snapshot(t: TestApp, userId?: string) {
  const em = t.app.orm.em.fork();
  return {
    users: await em.count(User, {}),
    projects: await em.count(Project, {}),
    tasks: await em.count(Task, {}),
    ledger: await em.count(CreditEntry, {}),
    keys: await em.count(IdempotencyKey, {}),
    providers: await em.count(ModelProvider, {}),
    jobs: await t.app.queue.counts(),
    credits: userId ? (await em.findOne(User, { id: userId }))?.credits : undefined,
  };
}

const deep = (levels: number) => {
  let q = 'id';
  for (let i = 0; i < levels; i++) q = i % 2 === 0 ? `tasks { project { ${q} } }` : q;
  return `query($id: ID!) { project(id: $id) { ${q} } }`;
};

describe('security', () => {
  let t: TestApp;
  let user: { token: string; userId: string; email: string };
  let projectId: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        RATE_SIGNIN_PER_EMAIL: '3/2',
        RATE_TASKS_PER_USER: '1000/60',
        MAX_SSE_STREAMS_PER_USER: '2',
        MAX_SUBSCRIPTIONS_PER_USER: '3',
        OFFLINE_TOKEN_DELAY_MS: '20',
      },
    });
    user = await t.signUp();
    projectId = (await t.gql(CREATE_PROJECT, { i: { name: 'Target', originalTopic: 'a lighthouse' } }, user.token)).data.createProject.id;
  });
  afterAll(() => t?.stop());

  describe('administrators', () => {
    it('are never made by signing up, whatever the address', async () => {
      for (const email of ['admin@example.com', 'root@localhost.localdomain', `admin-${randomUUID().slice(0, 6)}@example.com`]) {
        const r = await t.gql(`mutation($i: SignUpInput!) { signUp(input: $i) { user { isAdmin } } }`, { i: { email, password: 'a long password' } });
        expect(r.data.signUp.user.isAdmin).toBe(false);
      }
    });

    it('answer FORBIDDEN (not UNAUTHENTICATED) to everyone else on every provider operation, changing nothing', async () => {
      const before = await snapshot(t);
      const ops = [
        `{ modelProviders { id } }`,
        `mutation { createModelProvider(input: { name: "evil", kind: TEXT, baseUrl: "https://evil.example/v1", apiKeyEnv: "PROVIDER_KEY_X", model: "m" }) { id } }`,
        `mutation { updateModelProvider(id: "${randomUUID()}", input: { active: false }) { id } }`,
        `mutation { deleteModelProvider(id: "${randomUUID()}") }`,
      ];
      for (const op of ops) {
        expect(codeOf(await t.gql(op, {}, user.token))).toBe('FORBIDDEN');
        expect((await overWs(t, user.token, op)).errors?.[0].extensions.code).toBe('FORBIDDEN');
      }
      // The client keeps its session: FORBIDDEN does not sign anyone out.
      expect((await t.gql(`{ me { email isAdmin } }`, {}, user.token)).data.me).toEqual({ email: user.email, isAdmin: false });
      expect(await snapshot(t)).toEqual(before);
    });

    it('are made by the operator (npm run admin -- grant), and only then manage providers', async () => {
      const admin = await t.signUpAdmin();
      expect((await t.gql(`{ me { isAdmin } }`, {}, admin.token)).data.me.isAdmin).toBe(true);
      expect((await t.gql(`{ modelProviders { id } }`, {}, admin.token)).data.modelProviders).toEqual([]);
    });
  });

  describe('bounded GraphQL', () => {
    const refusals: Array<[string, string, Record<string, unknown>]> = [
      ['a 40-deep query', deep(40), {}],
      ['16 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, {}],
      ['21 directives', `{ me { id ${Array.from({ length: 21 }, () => '@include(if: true)').join(' ')} } }`, {}],
      ['3,001 tokens', `{ me { ${Array.from({ length: 1500 }, () => 'id').join(' ')} } }`, {}],
      // Within the depth and alias limits, but it asks for ten million events at once.
      ['a costly query', `{ projects(first: 100) { tasks(first: 100) { events(first: 1000) { seq at } } } }`, {}],
    ];

    for (const [what, query, variables] of refusals) {
      it(`refuses ${what} on HTTP, WebSocket and SSE, and stays ready`, async () => {
        const vars = { id: projectId, ...variables };
        const http = await t.gql(query, vars, user.token);
        expect(codeOf(http)).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(http.data ?? null).toBeNull();
        const ws = await overWs(t, user.token, query, vars);
        expect((ws?.[0] ?? ws?.errors?.[0])?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        const streamed = await sse(t, query, vars, user.token);
        expect(streamed[0]?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect((await fetch(`${t.url}/ready`)).status).toBe(200);
      });
    }

    it('answers a normal nested query (the client project view, a 1,000-event page) within the limits', async () => {
      const r = await t.gql(`query($id: ID!) { project(id: $id) { id stages { name status output { __typename } latestTask { id project { id } } } tasks(first: 5) { id } } }`, { id: projectId }, user.token);
      expect(r.errors).toBeUndefined();
      const page = await t.gql(`query($id: ID!) { task(id: $id) { events(first: 1000) { ${EVENT_FIELDS} } } }`, { id: randomUUID() }, user.token);
      expect(page.errors).toBeUndefined();
      expect(r.data.project.stages).toHaveLength(STAGE_NAMES.length);
    });

    it('bounds lists: first must be 1 to 100, after must be one of the list', async () => {
      for (const first of [0, -1, 101, 100_000]) {
        const r = await t.gql(`query($f: Int) { projects(first: $f) { id } }`, { f: first }, user.token);
        expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
        const tasks = await t.gql(`query($id: ID!, $f: Int) { project(id: $id) { tasks(first: $f) { id } } }`, { id: projectId, f: first }, user.token);
        expect(codeOf(tasks)).toBe('BAD_USER_INPUT');
      }
      const r = await t.gql(`query($a: ID) { projects(first: 1, after: $a) { id } }`, { a: randomUUID() }, user.token);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it('pages through projects newest first with first/after', async () => {
      const { token } = await t.signUp();
      const ids: string[] = [];
      for (const name of ['one', 'two', 'three']) ids.unshift((await t.gql(CREATE_PROJECT, { i: { name } }, token)).data.createProject.id);
      const page1 = (await t.gql(`{ projects(first: 2) { id } }`, {}, token)).data.projects.map((p: { id: string }) => p.id);
      const page2 = (await t.gql(`query($a: ID) { projects(first: 2, after: $a) { id } }`, { a: page1[1] }, token)).data.projects.map((p: { id: string }) => p.id);
      expect([...page1, ...page2]).toEqual(ids);
    });
  });

  describe('control characters', () => {
    const NUL = 'a\u0000b';
    const bad = ['\u0000', '\u0001', '\u0007', '\u001b[31m', '\u007f'];

    it('are refused in signUp and signIn, naming the field, creating nothing', async () => {
      const before = await snapshot(t);
      for (const c of bad) {
        const up = await t.gql(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, { i: { email: `x${c}@example.com`, password: 'a long password' } });
        expect(up.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
        const pw = await t.gql(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, { i: { email: 'ok@example.com', password: `long password${c}` } });
        expect(pw.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
      }
      const inline = await t.gql(`mutation { signIn(input: { email: "a\\u0000@example.com", password: "x" }) { token } }`);
      expect(inline.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
      expect(await snapshot(t)).toEqual(before);
    });

    it('are refused in every project and stage input, on HTTP and WebSocket, with no task, job or charge', async () => {
      const before = await snapshot(t, user.userId);
      const cases: Array<[string, string, Record<string, unknown>]> = [
        ['input.name', CREATE_PROJECT, { i: { name: NUL } }],
        ['input.originalTopic', CREATE_PROJECT, { i: { name: 'ok', originalTopic: NUL } }],
        ['input.originalText', CREATE_PROJECT, { i: { name: 'ok', originalText: `line one\n${NUL}` } }],
        ['input.input.text', EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input: { text: NUL } } }],
        ['input.input.style', EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input: { style: NUL } } }],
        ['input.input.instructions', EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input: { instructions: NUL } } }],
        ['input.idempotencyKey', EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', idempotencyKey: NUL } }],
        ['input.projectId', EXECUTE_STAGE, { i: { projectId: `${projectId}\u0000`, stage: 'REWRITE' } }],
        ['id', `mutation($id: ID!) { deleteProject(id: $id) }`, { id: `${projectId}\u0000` }],
        ['taskId', TASK_PROGRESS, { taskId: NUL, after: 0 }],
      ];
      for (const [field, query, variables] of cases) {
        const r = await t.gql(query, variables, user.token);
        expect(r.errors?.[0].extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(r.errors?.[0].message).toMatch(/control characters/);
        const ws = await overWs(t, user.token, query, variables);
        expect((ws?.errors ?? ws)?.[0]?.extensions, `${field} over WebSocket`).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
      expect(await snapshot(t, user.userId)).toEqual(before);
    });

    it('allows tab and line breaks in text, and Chinese', async () => {
      const r = await t.gql(CREATE_PROJECT, { i: { name: '猫\t的故事', originalText: '第一行\r\n第二行' } }, user.token);
      expect(r.errors).toBeUndefined();
      await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: r.data.createProject.id }, user.token);
    });

    it('length checks come first: a huge body is refused whole, a long name or password names its field', async () => {
      const before = await snapshot(t);
      const huge = '字'.repeat(400_000); // 1.2 MB of UTF-8: the body limit answers before anything parses it
      const body = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ query: CREATE_PROJECT, variables: { i: { name: huge } } }),
      });
      expect(body.status).toBe(413);
      const long = 'x'.repeat(300_000);
      const pw = await t.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, { i: { email: user.email, password: long } });
      expect(pw.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
      const name = await t.gql(CREATE_PROJECT, { i: { name: long } }, user.token);
      expect(name.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('rate limits', () => {
    it('signIn per email answers RATE_LIMITED with retryAfterMs (HTTP 429, Retry-After), then recovers', async () => {
      const { email } = await t.signUp();
      const attempt = () =>
        fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `mutation($i: SignInInput!) { signIn(input: $i) { token } }`, variables: { i: { email, password: 'wrong password' } } }),
        });
      for (let i = 0; i < 3; i++) expect(codeOf(await (await attempt()).json())).toBe('UNAUTHENTICATED');
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = await limited.json();
      expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(body.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
      expect(body.errors[0].extensions.http).toBeUndefined();
      // Even the right password waits: guessing cannot go on meanwhile.
      const right = await t.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, { i: { email, password: 'correct horse battery' } });
      expect(codeOf(right)).toBe('RATE_LIMITED');
      await new Promise((r) => setTimeout(r, body.errors[0].extensions.retryAfterMs + 50));
      const after = await t.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, { i: { email, password: 'correct horse battery' } });
      expect(after.data.signIn.token).toBeTruthy();
    });

    it('caps the subscriptions one user holds open, SSE separately; closing one frees its place', async () => {
      const { token } = await t.signUp();
      const p = (await t.gql(CREATE_PROJECT, { i: { name: 'Watched' } }, token)).data.createProject.id;
      const client = t.ws(token);
      const subs = ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION'].map((stage) => subscribe(client, STAGE_PROGRESS, { projectId: p, stage }));
      await new Promise((r) => setTimeout(r, 300));
      const fourth = subscribe(client, STAGE_PROGRESS, { projectId: p, stage: 'VIDEO_GENERATION' });
      const refused = await fourth.done.then(() => null, (err) => err);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors?.[0].extensions.retryAfterMs).toBeGreaterThan(0);
      subs[0].stop();
      await new Promise((r) => setTimeout(r, 300));
      const again = subscribe(client, STAGE_PROGRESS, { projectId: p, stage: 'VIDEO_GENERATION' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await Promise.race([again.done.then(() => 'ended', () => 'refused'), new Promise((r) => setTimeout(() => r('open'), 200))])).toBe('open');
      for (const s of [...subs, again]) s.stop();
    });
  });

  describe('sessions', () => {
    it('an expired token is refused and pruned, and its open subscription ends', async () => {
      const { token } = await t.signUp();
      const p = (await t.gql(CREATE_PROJECT, { i: { name: 'Expiring' } }, token)).data.createProject.id;
      const sub = subscribe(t.ws(token), STAGE_PROGRESS, { projectId: p, stage: 'REWRITE' });
      await new Promise((r) => setTimeout(r, 200));
      await t.app.orm.em.fork().nativeUpdate(AuthToken, { tokenHash: hashToken(token) }, { expiresAt: new Date(Date.now() - 1000) });
      expect(codeOf(await t.gql(`{ me { id } }`, {}, token))).toBe('UNAUTHENTICATED');
      expect(await t.app.services.accounts.pruneSessions()).toBeGreaterThanOrEqual(1);
      expect(await t.app.orm.em.fork().count(AuthToken, { tokenHash: hashToken(token) })).toBe(0);
      // The instance rechecks the sessions it holds streams for; force the periodic check now.
      await t.app.services.sessions.recheck();
      const ended = await sub.done.then(() => null, (err) => err);
      expect(ended?.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('a used token slides its expiry forward', async () => {
      const { token } = await t.signUp();
      const past = new Date(Date.now() + 3600_000); // an hour left
      await t.app.orm.em.fork().nativeUpdate(AuthToken, { tokenHash: hashToken(token) }, { expiresAt: past });
      await t.gql(`{ me { id } }`, {}, token);
      const row = await t.app.orm.em.fork().findOne(AuthToken, { tokenHash: hashToken(token) });
      expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    });

    it('signOut ends the open SSE stream of that token too', async () => {
      const { token } = await t.signUp();
      const p = (await t.gql(CREATE_PROJECT, { i: { name: 'SSE', originalTopic: 'rain' } }, token)).data.createProject.id;
      const stream = sse(t, STAGE_PROGRESS, { projectId: p, stage: 'REWRITE' }, token);
      await new Promise((r) => setTimeout(r, 300));
      await t.gql(`mutation { signOut }`, {}, token);
      const results = await stream; // ends instead of hanging
      expect(results.at(-1)?.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('credits', () => {
    it('a task cancelled after it streamed is refunded only what the model did not bill (half of a text stage)', async () => {
      const { token, userId } = await t.signUp();
      const p = (await t.gql(CREATE_PROJECT, { i: { name: 'Farm', originalTopic: 'a farm of credits' } }, token)).data.createProject.id;
      const taskId = (await t.gql(EXECUTE_STAGE, { i: { projectId: p, stage: 'REWRITE' } }, token)).data.executeStage.id;
      const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
      await waitFor(() => sub.events.filter((e) => e.__typename === 'TokenEvent').length >= 3, { what: 'tokens' });
      await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id: taskId }, token);
      await sub.done;
      const ledger = await t.app.orm.em.fork().find(CreditEntry, { userId, taskId }, { orderBy: { delta: 'asc' } });
      expect(ledger.map((e) => [e.reason, e.delta])).toEqual([['charge', -10], ['refund', 5]]);
      expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(995);
    });

    it('new accounts start with INITIAL_CREDITS, and 0 is allowed', async () => {
      const zero = await startTestApp({ env: { INITIAL_CREDITS: '0' } });
      try {
        const { token } = await zero.signUp();
        expect((await zero.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(0);
        const p = (await zero.gql(CREATE_PROJECT, { i: { name: 'Broke', originalTopic: 'nothing' } }, token)).data.createProject.id;
        expect(codeOf(await zero.gql(EXECUTE_STAGE, { i: { projectId: p, stage: 'REWRITE' } }, token))).toBe('INSUFFICIENT_CREDITS');
      } finally {
        await zero.stop();
      }
    });
  });
});
