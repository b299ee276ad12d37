// cancelTask: CANCELLED within 2 seconds, the stream stops, credits come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CANCEL = `mutation($id: ID!) { cancelTask(id: $id) { id status creditsCharged } }`;

describe('cancelTask', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '25', WORKER_CONCURRENCY: '1' } });
  });
  afterAll(() => t?.stop());

  async function start(token: string, topic: string) {
    const p = await t.gql(CREATE_PROJECT, { i: { name: topic, originalTopic: topic } }, token);
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token);
    return r.data.executeStage.id as string;
  }

  it('stops a running task within 2 seconds, ends its log with CANCELLED and refunds what was not billed', async () => {
    const { token } = await t.signUp();
    const taskId = await start(token, 'a clockwork orchestra');
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => sub.events.filter((e) => e.__typename === 'TokenEvent').length >= 5, { what: 'tokens' });
    const before = Date.now();
    const r = await t.gql(CANCEL, { id: taskId }, token);
    expect(r.data.cancelTask.status).toBe('CANCELLED');
    await sub.done;
    expect(Date.now() - before).toBeLessThan(2000);
    expect(sub.events.at(-1)).toMatchObject({ __typename: 'TaskStatusEvent', status: 'CANCELLED' });
    // It had streamed text: the model billed those tokens, so half of the 10 credits come back.
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(995);
    // The worker was aborted: the log stays ended, nothing is appended after CANCELLED.
    const lastSeq = sub.events.at(-1).seq;
    await new Promise((res) => setTimeout(res, 300));
    expect((await t.gql(TASK, { id: taskId }, token)).data.task).toMatchObject({ status: 'CANCELLED', lastSeq });
    expect((await t.gql(CANCEL, { id: taskId }, token)).errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('cancels a task still waiting in the queue; it never runs', async () => {
    const { token } = await t.signUp();
    const busy = await start(token, 'a very long winter');
    const waiting = await start(token, 'a short spring');
    expect((await t.gql(TASK, { id: waiting }, token)).data.task.status).toBe('QUEUED');
    expect((await t.gql(CANCEL, { id: waiting }, token)).data.cancelTask.status).toBe('CANCELLED');
    await t.gql(CANCEL, { id: busy }, token);
    const replay = subscribe(t.ws(token), TASK_PROGRESS, { taskId: waiting, after: 0 });
    await replay.done;
    expect(replay.events.map((e) => e.status ?? e.__typename)).toEqual(['QUEUED', 'CANCELLED']);
    await new Promise((res) => setTimeout(res, 300));
    expect((await t.gql(TASK, { id: waiting }, token)).data.task.lastSeq).toBe(2);
    // The waiting one is refunded in full; the busy one had streamed text and keeps half of its 10.
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(995);
  });
});
