// Accounts, project input rules, and isolation between users on every operation of the
// contract: another user's id answers exactly as an id that does not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project, User } from '../../server/db/entities.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, STAGE_PROGRESS, TASK_PROGRESS } from '../helpers/queries.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { codeOf } from '../helpers/operations.ts';

describe.each(DIALECTS)('accounts and isolation on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ dialect });
  });
  afterAll(() => t?.stop());

  const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id email credits } } }`;
  const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { token user { id } } }`;

  it('signs up, signs in and answers me with the starting credits', async () => {
    const up = await t.gql(SIGN_UP, { i: { email: '  Mixed.Case@Example.com ', password: 'long enough pw' } });
    expect(up.data.signUp.user).toMatchObject({ email: 'mixed.case@example.com', credits: 1000 });
    const me = await t.gql(`{ me { id email credits } }`, {}, up.data.signUp.token);
    expect(me.data.me.id).toBe(up.data.signUp.user.id);
    const inOk = await t.gql(SIGN_IN, { i: { email: 'mixed.case@example.com', password: 'long enough pw' } });
    expect(inOk.data.signIn.user.id).toBe(up.data.signUp.user.id);
    const wrong = await t.gql(SIGN_IN, { i: { email: 'mixed.case@example.com', password: 'wrong password' } });
    const unknown = await t.gql(SIGN_IN, { i: { email: 'nobody@example.com', password: 'wrong password' } });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0].message).toBe(wrong.errors?.[0].message);
    const again = await t.gql(SIGN_UP, { i: { email: 'mixed.case@example.com', password: 'another long pw' } });
    expect(codeOf(again)).toBe('CONFLICT');
    // Passwords and tokens are stored only as hashes.
    const row = await t.app.orm.em.fork().findOneOrFail(User, { email: 'mixed.case@example.com' });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain('long enough pw');
  });

  it.each([
    ['email missing @', { email: 'not-an-email', password: 'long enough pw' }, 'input.email'],
    ['email empty', { email: '  ', password: 'long enough pw' }, 'input.email'],
    ['email too long', { email: `${'a'.repeat(250)}@x.io`, password: 'long enough pw' }, 'input.email'],
    ['password too short', { email: 'short@example.com', password: 'short' }, 'input.password'],
    ['password too long', { email: 'long@example.com', password: 'p'.repeat(201) }, 'input.password'],
  ])('signUp refuses %s with BAD_USER_INPUT naming the field, creating nothing', async (_label, input, field) => {
    const before = await t.app.orm.em.fork().count(User, {});
    const r = await t.gql(SIGN_UP, { i: input });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await t.app.orm.em.fork().count(User, {})).toBe(before);
  });

  it.each([
    ['a blank name', { name: '   ' }, 'input.name'],
    ['a name over 200 characters', { name: '名'.repeat(201) }, 'input.name'],
    ['a topic over 2,000 characters', { name: 'ok', originalTopic: 't'.repeat(2001) }, 'input.originalTopic'],
    ['a text over 20,000 characters', { name: 'ok', originalText: '字'.repeat(20_001) }, 'input.originalText'],
  ])('createProject refuses %s with BAD_USER_INPUT naming the field, creating nothing', async (_label, input, field) => {
    const { token } = await t.signUp();
    const before = await t.app.orm.em.fork().count(Project, {});
    const r = await t.gql(CREATE_PROJECT, { i: input }, token);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await t.app.orm.em.fork().count(Project, {})).toBe(before);
  });

  it('signOut ends the session of that token, and only that one', async () => {
    const { token, email } = await t.signUp();
    const second = (await t.gql(SIGN_IN, { i: { email, password: 'correct horse battery' } })).data.signIn.token;
    const socket = t.ws(token);
    // Keep the socket open across the sign-out with a subscription that never ends.
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Keep-alive' } }, token);
    const keepAlive = subscribe(socket, STAGE_PROGRESS, { projectId: p.data.createProject.id, stage: 'REWRITE' });
    const before = await new Promise<any>((resolve) => socket.subscribe({ query: '{ me { email } }' }, { next: resolve, error: resolve, complete: () => {} }));
    expect(before.data.me.email).toBe(email);
    expect((await t.gql(`mutation { signOut }`, {}, token)).data.signOut).toBe(true);
    expect(codeOf(await t.gql(`{ me { id } }`, {}, token))).toBe('UNAUTHENTICATED');
    // Its open subscription ends at once with UNAUTHENTICATED, not only its next operation.
    const ended = await keepAlive.done.then(() => null, (err) => err);
    expect(ended?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Nothing else runs with that token on a socket: refused (4403 on reconnect, or UNAUTHENTICATED).
    const after = await new Promise<any>((resolve) => socket.subscribe({ query: '{ me { email } }' }, { next: resolve, error: resolve, complete: () => {} }));
    expect(after.code === 4403 || after.errors?.[0].extensions.code === 'UNAUTHENTICATED').toBe(true);
    expect((await t.gql(`{ me { email } }`, {}, second)).data.me.email).toBe(email);
  });

  it('without a token only signUp, signIn and stages answer', async () => {
    const stages = await t.gql(`{ stages { name order label dependsOn creditCost } }`);
    expect(stages.data.stages.map((s: { name: string }) => s.name)).toEqual(['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);
    for (const q of [`{ me { id } }`, `{ projects { id } }`, `mutation { createProject(input: { name: "x" }) { id } }`]) {
      expect(codeOf(await t.gql(q))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await t.gql(`{ me { id } }`, {}, 'not-a-real-token'))).toBe('UNAUTHENTICATED');
    // A stale token does not stand in the way of signing in again.
    const up = await t.gql(SIGN_UP, { i: { email: 'fresh@example.com', password: 'long enough pw' } }, 'not-a-real-token');
    expect(up.data.signUp.token).toBeTruthy();
  });

  it('a WebSocket with a bad token is closed with 4403 before any operation runs', async () => {
    const client = t.ws('definitely-wrong');
    const sub = subscribe(client, TASK_PROGRESS, { taskId: '00000000-0000-4000-8000-000000000000', after: 0 });
    const err = await sub.done.then(
      () => null,
      (e) => e,
    );
    expect(err?.detail?.code ?? err?.code).toBe(4403);
  });

  it("another user's ids answer NOT_FOUND for every query, mutation and subscription", async () => {
    const owner = await t.signUp();
    const other = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Mine', originalTopic: 'a secret garden' } }, owner.token);
    const projectId = p.data.createProject.id;
    const task = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, owner.token);
    const taskId = task.data.executeStage.id;
    const missingId = '00000000-0000-4000-8000-00000000beef';

    for (const id of [projectId, missingId]) {
      expect((await t.gql(`query($id: ID!) { project(id: $id) { id } }`, { id }, other.token)).data.project).toBeNull();
      expect(codeOf(await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id }, other.token))).toBe('NOT_FOUND');
      expect(codeOf(await t.gql(EXECUTE_STAGE, { i: { projectId: id, stage: 'REWRITE' } }, other.token))).toBe('NOT_FOUND');
      expect(codeOf(await t.gql(`mutation($id: ID!) { runPipeline(projectId: $id) { id } }`, { id }, other.token))).toBe('NOT_FOUND');
      const stageSub = subscribe(t.ws(other.token), STAGE_PROGRESS, { projectId: id, stage: 'REWRITE' });
      await expect(stageSub.done).rejects.toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
    const notFoundMessages = new Set<string>();
    for (const id of [taskId, missingId]) {
      expect((await t.gql(`query($id: ID!) { task(id: $id) { id } }`, { id }, other.token)).data.task).toBeNull();
      const cancel = await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id }, other.token);
      expect(codeOf(cancel)).toBe('NOT_FOUND');
      notFoundMessages.add(cancel.errors![0].message.replace(id, '<id>'));
      const taskSub = subscribe(t.ws(other.token), TASK_PROGRESS, { taskId: id, after: 0 });
      await expect(taskSub.done).rejects.toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
    expect(notFoundMessages.size).toBe(1); // the same words whether it exists or not
    expect((await t.gql(`{ projects { id } }`, {}, other.token)).data.projects).toEqual([]);
    // The owner still sees everything.
    expect((await t.gql(`query($id: ID!) { task(id: $id) { id } }`, { id: taskId }, owner.token)).data.task.id).toBe(taskId);
  });

  it('deleteProject removes the project and cancels its active task with a refund', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Doomed', originalTopic: 'a sandcastle' } }, token);
    const projectId = p.data.createProject.id;
    const task = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: task.data.executeStage.id, after: 0 });
    await waitFor(() => sub.events.some((e) => e.__typename === 'TokenEvent'), { what: 'the task to stream' });
    expect((await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: projectId }, token)).data.deleteProject).toBe(true);
    await sub.done.catch(() => {});
    expect((await t.gql(`query($id: ID!) { project(id: $id) { id } }`, { id: projectId }, token)).data.project).toBeNull();
    // It had streamed text: what the model billed (half of the 10 credits) stays charged.
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(995);
  });
});
