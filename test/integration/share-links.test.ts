// Share links: a bearer token that reads one project, live, on every transport (HTTP,
// WebSocket, SSE), and nothing else; every mutation FORBIDDEN; revoking ends it at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { ServerSecret, ShareLink, Task } from '../../server/db/entities.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, STAGE_PROGRESS, TASK_EVENTS, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { codeOf, sse, overWs } from '../helpers/operations.ts';

const CREATE_LINK = `mutation($p: ID!) { createShareLink(projectId: $p) { id token url createdAt } }`;
const LINKS = `query($id: ID!) { project(id: $id) { shareLinks { id token url } } }`;
const REVOKE = `mutation($id: ID!) { revokeShareLink(id: $id) }`;
const SHARED = `{ sharedProject { id name stages { name status } } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { id name tasks { id stage } } }`;
const TASK = `query($id: ID!) { task(id: $id) { id status text } }`;

/** The key outside the database (SHARE_LINK_SECRET); the browser test covers the default, kept in the database. */
const SECRET = 'a share-link key of at least thirty-two characters';

describe('share links', () => {
  let t: TestApp;
  let owner: string;
  let projectId: string;
  let otherProjectId: string;
  let otherTaskId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '10', SHARE_LINK_SECRET: SECRET } });
    ({ token: owner } = await t.signUp());
    projectId = (await t.gql(CREATE_PROJECT, { i: { name: 'Shared', originalTopic: '灯塔看守人和鲸鱼' } }, owner)).data.createProject.id;
    otherProjectId = (await t.gql(CREATE_PROJECT, { i: { name: 'Private', originalTopic: 'a secret garden' } }, owner)).data.createProject.id;
    otherTaskId = (await t.gql(EXECUTE_STAGE, { i: { projectId: otherProjectId, stage: 'REWRITE' } }, owner)).data.executeStage.id;
  });
  afterAll(() => t?.stop());

  async function newLink(p = projectId) {
    const r = await t.gql(CREATE_LINK, { p }, owner);
    expect(r.errors).toBeUndefined();
    return r.data.createShareLink as { id: string; token: string; url: string };
  }

  it('the owner creates and lists links; the token is 256 bits, stored only hashed; its url opens the client', async () => {
    const link = await newLink();
    expect(Buffer.from(link.token, 'base64url').length).toBe(32);
    expect(link.url).toBe(`${t.url}/#/share/${link.token}`);
    const row = await t.app.orm.em.fork().findOneOrFail(ShareLink, { id: link.id });
    expect(row.tokenHash).toBe(hashToken(link.token));
    expect(JSON.stringify(row)).not.toContain(link.token);
    // Derived under SHARE_LINK_SECRET, which is nowhere in the database.
    expect(link.token).toBe(createHmac('sha256', SECRET).update(link.id).digest('base64url'));
    expect(await t.app.orm.em.fork().count(ServerSecret, {})).toBe(0);
    const listed = (await t.gql(LINKS, { id: projectId }, owner)).data.project.shareLinks;
    expect(listed).toContainEqual({ id: link.id, token: link.token, url: link.url });
    // Someone else can neither link the project nor revoke its links.
    const { token: stranger } = await t.signUp();
    expect(codeOf(await t.gql(CREATE_LINK, { p: projectId }, stranger))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(REVOKE, { id: link.id }, stranger))).toBe('NOT_FOUND');
  });

  it('over HTTP the token reads its project, its tasks and their events; other ids are NOT_FOUND', async () => {
    const link = await newLink();
    const task = (await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, owner)).data.executeStage.id;
    await subscribe(t.ws(owner), TASK_PROGRESS, { taskId: task, after: 0 }).done;

    const shared = await t.gql(SHARED, {}, link.token);
    expect(shared.data.sharedProject).toMatchObject({ id: projectId, name: 'Shared' });
    expect((await t.gql(SHARED, {}, owner)).data.sharedProject).toBeNull();
    expect((await t.gql(PROJECT, { id: projectId }, link.token)).data.project.tasks.map((x: { id: string }) => x.id)).toContain(task);
    expect((await t.gql(TASK, { id: task }, link.token)).data.task).toMatchObject({ id: task, status: 'COMPLETED' });
    const events = (await t.gql(TASK_EVENTS, { id: task, after: 0, first: 1000 }, link.token)).data.task.events;
    expect(events.at(-1).__typename).toBe('CompletedEvent');

    expect(codeOf(await t.gql(PROJECT, { id: otherProjectId }, link.token))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(TASK, { id: otherTaskId }, link.token))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(LINKS, { id: projectId }, link.token))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`{ me { id } }`, {}, link.token))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`{ projects { id } }`, {}, link.token))).toBe('FORBIDDEN');
  });

  it('every mutation is FORBIDDEN, on every transport, and changes nothing', async () => {
    const link = await newLink();
    const before = await t.app.orm.em.fork().count(Task, { projectId });
    const mutations: Array<[string, Record<string, unknown>]> = [
      [EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }],
      [`mutation($id: ID!) { runPipeline(projectId: $id) { id } }`, { id: projectId }],
      [`mutation($id: ID!) { deleteProject(id: $id) }`, { id: projectId }],
      [CREATE_LINK, { p: projectId }],
      [REVOKE, { id: link.id }],
      [`mutation { signOut }`, {}],
      [`mutation { signUp(input: { email: "x@example.com", password: "long enough pass" }) { token } }`, {}],
    ];
    for (const [query, variables] of mutations) expect(codeOf(await t.gql(query, variables, link.token)), query).toBe('FORBIDDEN');
    const [query, variables] = mutations[0]!;
    expect(codeOf(await overWs(t, link.token, query, variables))).toBe('FORBIDDEN');
    expect(codeOf((await sse(t, query, variables, link.token))[0])).toBe('FORBIDDEN');
    expect(await t.app.orm.em.fork().count(Task, { projectId })).toBe(before);
    expect((await t.gql(SHARED, {}, link.token)).data.sharedProject.id).toBe(projectId); // still works
  });

  it('both subscriptions stream the run live over WebSocket and SSE; another project\'s are NOT_FOUND', async () => {
    const link = await newLink();
    const overWsStage = subscribe(t.ws(link.token), STAGE_PROGRESS, { projectId, stage: 'REWRITE' });
    const overSseStage = sse(t, STAGE_PROGRESS, { projectId, stage: 'REWRITE' }, link.token);
    await new Promise((r) => setTimeout(r, 300)); // both attached before the run starts
    const task = (await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input: { style: 'calm' } } }, owner)).data.executeStage.id;
    const overWsTask = subscribe(t.ws(link.token), TASK_PROGRESS, { taskId: task, after: 0 });
    const overSseTask = sse(t, TASK_PROGRESS, { taskId: task, after: 0 }, link.token);
    await overWsTask.done;
    const wsTypes = overWsTask.events.map((e: any) => e.__typename);
    expect(wsTypes).toContain('TokenEvent');
    expect(wsTypes.at(-1)).toBe('CompletedEvent');
    const sseTask = (await overSseTask).map((r) => r.data.taskProgress);
    expect(sseTask.map((e: any) => e.seq)).toEqual(overWsTask.events.map((e: any) => e.seq));
    await waitFor(() => overWsStage.events.some((e: any) => e.taskId === task && e.__typename === 'CompletedEvent'), { what: 'stageProgress over WS' });
    expect(overWsStage.events.filter((e: any) => e.taskId === task && e.__typename === 'TokenEvent').length).toBeGreaterThan(0);
    overWsStage.stop();
    // The SSE stage stream stays open (it follows the stage's next tasks): revoke ends it below.
    await t.gql(REVOKE, { id: link.id }, owner);
    const sseStage = (await overSseStage).filter((r) => r.data).map((r) => r.data.stageProgress);
    expect(sseStage.some((e: any) => e.taskId === task && e.__typename === 'CompletedEvent')).toBe(true);

    const other = await newLink();
    expect(codeOf(await overWs(t, other.token, TASK_PROGRESS, { taskId: otherTaskId, after: 0 }))).toBe('NOT_FOUND');
    expect(codeOf((await sse(t, STAGE_PROGRESS, { projectId: otherProjectId, stage: 'REWRITE' }, other.token))[0])).toBe('NOT_FOUND');
  });

  it('revoking ends open subscriptions at once, on WebSocket and SSE, and the token stops working', async () => {
    const link = await newLink();
    const overWsStage = subscribe(t.ws(link.token), STAGE_PROGRESS, { projectId, stage: 'STORYBOARD' });
    const overSseStage = sse(t, STAGE_PROGRESS, { projectId, stage: 'STORYBOARD' }, link.token);
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.gql(REVOKE, { id: link.id }, owner)).data.revokeShareLink).toBe(true);
    const ended = await overWsStage.done.then(() => null, (err) => err);
    expect(ended?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const sseResults = await overSseStage;
    expect(codeOf(sseResults.at(-1))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql(SHARED, {}, link.token))).toBe('UNAUTHENTICATED');
    const again = await overWs(t, link.token, SHARED);
    expect(again?.code === 4403 || codeOf(again) === 'UNAUTHENTICATED').toBe(true);
    expect((await t.gql(LINKS, { id: projectId }, owner)).data.project.shareLinks.map((l: { id: string }) => l.id)).not.toContain(link.id);
  });

  it('deleting the project deletes its links: the token stops working', async () => {
    const doomed = (await t.gql(CREATE_PROJECT, { i: { name: 'Doomed', originalTopic: 'sand castles' } }, owner)).data.createProject.id;
    const link = await newLink(doomed);
    expect((await t.gql(SHARED, {}, link.token)).data.sharedProject.id).toBe(doomed);
    expect((await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: doomed }, owner)).data.deleteProject).toBe(true);
    expect(codeOf(await t.gql(SHARED, {}, link.token))).toBe('UNAUTHENTICATED');
    expect(await t.app.orm.em.fork().count(ShareLink, { projectId: doomed })).toBe(0);
  });
});
