// executeStage's rules: one task per active (project, stage), idempotency keys, credits,
// preconditions, and bad input that changes nothing. Over real Redis, BullMQ and databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Task } from '../../server/db/entities.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const ME = `{ me { credits } }`;

describe.each(DIALECTS)('executeStage on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ dialect, env: { OFFLINE_TOKEN_DELAY_MS: '5', INITIAL_CREDITS: '100' } });
  });
  afterAll(() => t?.stop());

  async function user() {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Rules', originalTopic: 'a garden on the moon' } }, token);
    return { token, projectId: p.data.createProject.id as string };
  }
  const credits = async (token: string) => (await t.gql(ME, {}, token)).data.me.credits as number;
  const taskCount = async (projectId: string) => t.app.orm.em.fork().count(Task, { projectId });
  const jobCount = async () => {
    const keys = await t.app.redis.keys(`{${t.prefix}bull}:stage-tasks:*`);
    return keys.filter((k) => /:stage-tasks:[0-9a-f-]{36}$/.test(k)).length;
  };

  it('five simultaneous calls make one task, one job and one charge', async () => {
    const { token, projectId } = await user();
    const jobsBefore = await jobCount();
    const results = await Promise.all(Array.from({ length: 5 }, () => t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token)));
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.executeStage.id));
    expect(ids.size).toBe(1);
    expect(await taskCount(projectId)).toBe(1);
    expect(await credits(token)).toBe(90);
    expect(await jobCount()).toBe(jobsBefore + 1);
  });

  it('an idempotency key returns the same task; reused for another request it is a CONFLICT', async () => {
    const { token, projectId } = await user();
    const call = (input: unknown, key = 'key-1') => t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input, idempotencyKey: key } }, token);
    const a = await call({ style: 'noir' });
    await subscribe(t.ws(token), TASK_PROGRESS, { taskId: a.data.executeStage.id, after: 0 }).done;
    const b = await call({ style: 'noir' }); // after it finished: still the same task, no new charge
    expect(b.data.executeStage.id).toBe(a.data.executeStage.id);
    expect(await credits(token)).toBe(90);
    const c = await call({ style: 'comedy' });
    expect(c.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await taskCount(projectId)).toBe(1);
  });

  it('refuses a balance below the cost with INSUFFICIENT_CREDITS, changing nothing', async () => {
    const { token, projectId } = await user();
    // Spend it all: ten tasks on ten projects at once.
    const others = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => (await t.gql(CREATE_PROJECT, { i: { name: `Spend ${i}`, originalTopic: 'coins' } }, token)).data.createProject.id as string),
    );
    const started = await Promise.all(others.map((id) => t.gql(EXECUTE_STAGE, { i: { projectId: id, stage: 'REWRITE' } }, token)));
    for (const r of started) expect(r.errors).toBeUndefined();
    expect(await credits(token)).toBe(0);
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'INSUFFICIENT_CREDITS' } });
    expect(r.errors?.[0].message).toBe('This stage costs 10 credits; your balance is 0.');
    expect(await taskCount(projectId)).toBe(0);
    await Promise.all(started.map((s) => subscribe(t.ws(token), TASK_PROGRESS, { taskId: s.data.executeStage.id, after: 0 }).done));
  });

  it('a missing dependency is PRECONDITION_FAILED', async () => {
    const { token } = await user();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Empty' } }, token);
    const projectId = p.data.createProject.id;
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'PRECONDITION_FAILED' } });
    expect(r.errors?.[0].message).toMatch(/originalText|originalTopic|input\.text/);
    const s = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'STORYBOARD' } }, token);
    expect(s.errors?.[0]).toMatchObject({ extensions: { code: 'PRECONDITION_FAILED' } });
    expect(await taskCount(projectId)).toBe(0);
    expect(await credits(token)).toBe(100);
  });

  it.each([
    ['text too long', { text: 'x'.repeat(20_001) }, 'input.text', /at most 20,000/],
    ['text blank', { text: '   ' }, 'input.text', /empty/],
    ['text not a string', { text: 42 }, 'input.text', /string/],
    ['style not a string', { style: ['noir'] }, 'input.style', /string/],
    ['instructions too long', { instructions: 'x'.repeat(2_001) }, 'input.instructions', /at most 2,000/],
    ['unknown option', { colour: 'red' }, 'input.colour', /not an option of REWRITE/],
    ['not an object', 'just a string', 'input', /JSON object/],
  ])('REWRITE input (%s) is refused naming the field, and nothing changes', async (_label, input, field, rule) => {
    const { token, projectId } = await user();
    const jobsBefore = await jobCount();
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input } }, token);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0].message).toMatch(rule);
    expect(await taskCount(projectId)).toBe(0);
    expect(await credits(token)).toBe(100);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it.each([
    ['STORYBOARD', 'sceneCount 0', { sceneCount: 0 }, 'input.sceneCount', /integer from 1 to 20/],
    ['STORYBOARD', 'sceneCount 21', { sceneCount: 21 }, 'input.sceneCount', /integer from 1 to 20/],
    ['STORYBOARD', 'sceneCount 2.5', { sceneCount: 2.5 }, 'input.sceneCount', /integer/],
    ['STORYBOARD', 'sceneCount as a string', { sceneCount: '5' }, 'input.sceneCount', /integer/],
    ['STORYBOARD', 'text too long', { text: '字'.repeat(20_001) }, 'input.text', /at most 20,000/],
    ['IMAGE_GENERATION', 'an unknown size', { size: '800x600' }, 'input.size', /one of "1024x1024", "1536x1024", "1024x1536"/],
    ['CAMERA_MOVEMENT', 'style not a string', { style: 3 }, 'input.style', /string/],
    ['VIDEO_GENERATION', 'secondsPerClip 5', { secondsPerClip: 5 }, 'input.secondsPerClip', /one of 4, 8, 12/],
    ['VIDEO_GENERATION', 'an unknown option', { fps: 30 }, 'input.fps', /not an option of VIDEO_GENERATION/],
  ])('%s input (%s) is refused naming the field, and nothing changes', async (stage, _label, input, field, rule) => {
    const { token, projectId } = await user();
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input } }, token);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0].message).toMatch(rule);
    expect(await taskCount(projectId)).toBe(0);
    expect(await credits(token)).toBe(100);
  });

  it('an unknown stage or a malformed idempotency key is refused before anything happens', async () => {
    const { token, projectId } = await user();
    const bad = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'MUSIC' } }, token);
    expect(bad.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const key = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', idempotencyKey: '' } }, token);
    expect(key.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect(await taskCount(projectId)).toBe(0);
  });

  it('a task committed but never enqueued (its creator died) is enqueued by the sweep and runs', async () => {
    const { token, projectId } = await user();
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    const taskId = r.data.executeStage.id;
    await subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 }).done;
    // Simulate a death between the commit and the enqueue: a QUEUED row with no log and no job.
    const em = t.app.orm.em.fork();
    const row = await em.findOneOrFail(Task, { id: taskId });
    const orphanId = '00000000-0000-4000-8000-000000000001'.replace('0001', String(Date.now() % 10000).padStart(4, '0'));
    await em.insert(Task, {
      ...row,
      id: orphanId,
      status: 'QUEUED',
      activeKey: `${projectId}:REWRITE`,
      output: null,
      text: null,
      finishedAt: null,
      startedAt: null,
      archivedAt: null,
      lastSeq: 1,
      createdAt: new Date(Date.now() - 60_000),
    });
    expect(await t.app.sweep()).toMatchObject({ enqueued: 1 });
    await waitFor(async () => (await t.gql(TASK, { id: orphanId }, token)).data.task.status === 'COMPLETED', { what: 'the orphan to run' });
    const replay = subscribe(t.ws(token), TASK_PROGRESS, { taskId: orphanId, after: 0 });
    await replay.done;
    expect(replay.events[0]).toMatchObject({ seq: 1, status: 'QUEUED' });
  });
});
