// One port, every transport: GraphQL over SSE with a bearer token, GraphiQL served without
// a CDN, GraphiQL's per-operation headers over WebSocket, health and readiness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('transports', () => {
  let t: TestApp;
  let token: string;
  let taskId: string;
  beforeAll(async () => {
    t = await startTestApp();
    ({ token } = await t.signUp());
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'SSE', originalTopic: '风筝' } }, token);
    taskId = (await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token)).data.executeStage.id;
  });
  afterAll(() => t?.stop());

  it('streams a subscription over Server-Sent Events with a bearer token', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: TASK_PROGRESS, variables: { taskId, after: 0 } }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const body = await res.text(); // the stream ends after the final event
    const events = body
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('taskProgress'))
      .map((l) => JSON.parse(l.slice(6)).data.taskProgress);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1).__typename).toBe('CompletedEvent');
  });

  it("a subscription's arguments are its own, whatever its variables are called or when written inline (SSE and WebSocket)", async () => {
    const fields = '{ __typename seq taskId }';
    const asked = [
      { query: `subscription($t: ID!, $from: Int) { taskProgress(taskId: $t, after: $from) ${fields} }`, variables: { t: taskId, from: 0 } },
      { query: `subscription { taskProgress(taskId: ${JSON.stringify(taskId)}, after: 0) ${fields} }`, variables: {} },
    ];
    for (const { query, variables } of asked) {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const results = (await res.text())
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)));
      expect(results.filter((r) => r.errors), query).toEqual([]);
      const events = results.map((r) => r.data.taskProgress);
      expect(events.every((e) => e.taskId === taskId)).toBe(true);
      expect(events.at(-1).__typename).toBe('CompletedEvent');

      const client = t.ws(token);
      const overWs: any[] = [];
      await new Promise<void>((resolve, reject) => {
        client.subscribe({ query, variables }, { next: (r) => (r.errors ? reject(new Error(r.errors[0].message)) : overWs.push(r.data!.taskProgress)), error: reject, complete: resolve });
      });
      await client.dispose();
      expect(overWs.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    }
  });

  it('serves GraphiQL with its assets, no CDN needed', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Story Pipeline GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
  });

  it("accepts GraphiQL's headers sent with the operation over WebSocket", async () => {
    const client = t.ws();
    const events: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: TASK_PROGRESS, variables: { taskId, after: 0 }, extensions: { headers: { Authorization: `Bearer ${token}` } } },
        { next: (r) => (r.errors ? reject(new Error(r.errors[0].message)) : events.push(r.data!.taskProgress)), error: reject, complete: resolve },
      );
    });
    expect(events.at(-1).__typename).toBe('CompletedEvent');
    const refused = await new Promise<any>((resolve) => {
      client.subscribe(
        { query: TASK_PROGRESS, variables: { taskId, after: 0 }, extensions: { headers: { Authorization: 'Bearer wrong' } } },
        { next: () => {}, error: resolve, complete: () => resolve(null) },
      );
    });
    expect(refused?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers /health and /ready', async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: 'up' });
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks).toEqual({ redis: 'ok', database: 'ok', worker: 'ok' });
  });
});
