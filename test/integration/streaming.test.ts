// The delivery promise of the event log, over real Redis, a real database and graphql-ws:
// every event after the cursor exactly once, in order, with no gaps, whoever asks when.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followTask } from '../../server/events/follow-task.ts';
import { followStage } from '../../server/events/follow-stage.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, STAGE_PROGRESS, TASK, TASK_EVENTS, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CHINESE_TEXT =
  '在一个安静的小镇上，住着一位年迈的钟表匠。他每天清晨都会打开店门，为路过的孩子们修理坏掉的玩具。' +
  '有一天，一个小女孩带来了一只停止走动的怀表，说那是她祖父留下的唯一纪念。钟表匠花了整整三天三夜，终于让它重新走了起来。🎉';

function expectContiguous(events: Array<{ seq: number }>, from: number) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => from + i));
}

/** What a client rebuilds from deltas: the current attempt's text. */
function deltasOf(events: any[]): string {
  const lastAttempt = Math.max(...events.map((e) => e.attempt));
  return events.filter((e) => e.__typename === 'TokenEvent' && e.attempt === lastAttempt).map((e) => e.delta).join('');
}

describe.each(DIALECTS)('event delivery on %s', (dialect) => {
  let t: TestApp;
  let second: TestApp;
  let token: string;
  const race: { enabled: boolean; waited: number } = { enabled: false, waited: 0 };

  beforeAll(async () => {
    t = await startTestApp({
      dialect,
      env: { OFFLINE_TOKEN_DELAY_MS: '4' },
      overrides: {
        follow: {
          // Forces the race between the replay and going live: hold the follower after it
          // has read the log until several more events have been published.
          afterReplay: async (taskId, cursor) => {
            if (!race.enabled) return;
            await waitFor(async () => {
              const meta = await t.app.eventLog.meta(taskId);
              return meta && (meta.final || meta.seq >= cursor + 5);
            });
            race.waited += 1;
          },
        },
      },
    });
    second = await startTestApp({ role: 'api', joinPrefix: t.prefix, joinDatabaseUrl: t.databaseUrl });
    ({ token } = await t.signUp());
  });
  afterAll(async () => {
    await second?.stop();
    await t?.stop();
  });

  // FRESH throughout: these tests follow a model's stream, which an identical earlier run would answer from the cache.
  async function startRewrite(material: { originalTopic?: string; originalText?: string }) {
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Streaming', ...material } }, token);
    const projectId = p.data.createProject.id;
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', cache: 'FRESH' } }, token);
    expect(r.errors).toBeUndefined();
    return { projectId, taskId: r.data.executeStage.id as string };
  }

  const lastSeqOf = async (taskId: string) => (await t.gql(TASK, { id: taskId }, token)).data.task.lastSeq as number;

  it('a subscriber joining mid-stream gets every event once, in order, and ends with the final one', async () => {
    const { taskId } = await startRewrite({ originalTopic: 'a lighthouse keeper who collects lost letters' });
    await waitFor(async () => (await lastSeqOf(taskId)) >= 20, { what: 'the stream to be under way' });
    const fromStart = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    const cursor = await lastSeqOf(taskId);
    const fromCursor = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: cursor });
    await Promise.all([fromStart.done, fromCursor.done]);

    const task = (await t.gql(TASK, { id: taskId }, token)).data.task;
    expect(task.status).toBe('COMPLETED');
    expectContiguous(fromStart.events, 1);
    expectContiguous(fromCursor.events, cursor + 1);
    expect(fromStart.events.at(-1)).toMatchObject({ __typename: 'CompletedEvent', seq: task.lastSeq });
    expect(fromStart.events[0]).toMatchObject({ __typename: 'TaskStatusEvent', status: 'QUEUED', seq: 1 });
    expect(deltasOf(fromStart.events).trim()).toBe(task.output.text);
    // fullText is the whole attempt's text even for the subscriber that joined late.
    const lastToken = fromCursor.events.filter((e) => e.__typename === 'TokenEvent').at(-1);
    expect(lastToken.fullText.trim()).toBe(task.output.text);
    expect(task.text.trim()).toBe(task.output.text);
    expect(task.tokensUsed).toBeGreaterThan(10);
    expect(task.processingTimeMs).toBeGreaterThan(0);
  });

  it('a subscriber that reconnects with its cursor misses nothing and repeats nothing', async () => {
    const { taskId } = await startRewrite({ originalText: CHINESE_TEXT });
    const first = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => first.events.length >= 15);
    first.stop();
    const seen = [...first.events];
    await waitFor(async () => (await lastSeqOf(taskId)) > seen.at(-1).seq + 10, { what: 'events published while away' });
    const resumed = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: seen.at(-1).seq });
    await resumed.done;
    const all = [...seen, ...resumed.events];
    expectContiguous(all, 1);
    const task = (await t.gql(TASK, { id: taskId }, token)).data.task;
    // Chinese (and an emoji) streamed, cut and resumed: intact, with nothing garbled.
    const text = deltasOf(all);
    expect(text.trim()).toBe(task.output.text);
    expect(text).not.toContain('\uFFFD');
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(resumed.events.filter((e) => e.__typename === 'TokenEvent').at(-1).fullText).toBe(text);
  });

  it('a subscriber on a second API instance gets the same events', async () => {
    const { taskId } = await startRewrite({ originalTopic: '一座会移动的图书馆' });
    const elsewhere = subscribe(second.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    const here = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await Promise.all([elsewhere.done, here.done]);
    expectContiguous(elsewhere.events, 1);
    expect(elsewhere.events.map((e) => [e.seq, e.delta ?? e.status ?? e.__typename])).toEqual(here.events.map((e) => [e.seq, e.delta ?? e.status ?? e.__typename]));
  });

  it('events published between the replay and going live are neither lost nor doubled', async () => {
    const { taskId } = await startRewrite({ originalTopic: 'two clocks that disagree' });
    await waitFor(async () => (await lastSeqOf(taskId)) >= 10);
    race.enabled = true;
    race.waited = 0;
    try {
      const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
      await sub.done;
      expect(race.waited).toBe(1);
      expectContiguous(sub.events, 1);
      expect(sub.events.at(-1).__typename).toBe('CompletedEvent');
    } finally {
      race.enabled = false;
    }
  });

  it('a subscription to a finished task replays it and completes, also once Redis has let its log go', async () => {
    const { taskId } = await startRewrite({ originalTopic: 'a kite that refuses to land' });
    await subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 }).done;
    const task = (await t.gql(TASK, { id: taskId }, token)).data.task;
    await waitFor(async () => (await t.app.orm.em.fork().getConnection().execute(`select archived_at from tasks where id = '${taskId}'`))[0].archived_at, { what: 'the archive' });

    const replay = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await replay.done;
    expect(replay.events).toHaveLength(task.lastSeq);
    const nothingLeft = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: task.lastSeq });
    await nothingLeft.done;
    expect(nothingLeft.events).toHaveLength(0);

    // Redis forgets the log (its TTL ran out): the database archive answers instead.
    await t.app.redis.del(`${t.prefix}{task:${taskId}}:meta`, `${t.prefix}{task:${taskId}}:log`, `${t.prefix}{task:${taskId}}:text`);
    const fromArchive = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 5 });
    await fromArchive.done;
    expectContiguous(fromArchive.events, 6);
    expect(fromArchive.events.at(-1).__typename).toBe('CompletedEvent');
    expect(fromArchive.events.filter((e) => e.__typename === 'TokenEvent').at(-1).fullText.trim()).toBe(task.output.text);
    const page = (await t.gql(TASK_EVENTS, { id: taskId, after: 2, first: 3 }, token)).data.task.events;
    expect(page.map((e: any) => e.seq)).toEqual([3, 4, 5]);
    expect((await t.gql(TASK, { id: taskId }, token)).data.task).toMatchObject({ status: 'COMPLETED', lastSeq: task.lastSeq });
  });

  it('Task.text is exactly the text as of Task.lastSeq, so a client can show one and resume from the other', async () => {
    const { taskId } = await startRewrite({ originalText: CHINESE_TEXT });
    let checks = 0;
    for (;;) {
      const { task } = (await t.gql(`query($id: ID!) { task(id: $id) { status text lastSeq } }`, { id: taskId }, token)).data;
      const events = (await t.gql(TASK_EVENTS, { id: taskId, after: 0, first: 1000 }, token)).data.task.events.filter((e: any) => e.seq <= task.lastSeq);
      expect(events).toHaveLength(task.lastSeq);
      if (task.status === 'COMPLETED') break;
      expect(task.text).toBe(deltasOf(events.length > 1 ? events : [{ attempt: 1 }]));
      checks += 1;
    }
    expect(checks).toBeGreaterThan(3);
  });

  it('a subscriber slower than the stream gets everything, with bounded memory', async () => {
    const { taskId } = await startRewrite({ originalText: CHINESE_TEXT });
    const seen: any[] = [];
    for await (const e of followTask({ ...t.app.services.follow, maxBuffered: 3 }, { taskId, after: 0, withText: true })) {
      seen.push(e);
      await new Promise((r) => setTimeout(r, 8)); // slower than the 4 ms tokens
    }
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    const text = seen.filter((e) => e.type === 'token').map((e) => e.delta).join('');
    expect(seen.filter((e) => e.type === 'token').at(-1).fullText).toBe(text);
    expect(seen.at(-1).type).toBe('completed');
  });

  it('a stageProgress reader that stalls holds a bounded buffer, then catches up with everything', async () => {
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Stalled', originalText: CHINESE_TEXT } }, token);
    const projectId = p.data.createProject.id;
    let largest = 0;
    const follow = { ...t.app.services.follow, maxBuffered: 3, onStageBuffer: (n: number) => (largest = Math.max(largest, n)) };
    const stream = followStage(follow, {
      projectId,
      stageChannel: t.app.services.stageChannel(projectId, 'REWRITE'),
      newestTask: async () => null,
      after: null,
      withText: true,
    });
    const first = stream.next(); // attaches to the stage's channel
    await new Promise((r) => setTimeout(r, 200));
    const taskId = (await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', cache: 'FRESH' } }, token)).data.executeStage.id;
    await waitFor(async () => (await t.gql(TASK, { id: taskId }, token)).data.task.status === 'COMPLETED', { what: 'the task to finish while nobody reads' });
    const seen: any[] = [(await first).value];
    for (;;) {
      const { value } = await stream.next();
      seen.push(value);
      if (value.type === 'completed') break;
    }
    await stream.return(undefined);
    expect(largest).toBeLessThanOrEqual(3);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.filter((e) => e.type === 'token').length).toBeGreaterThan(20);
  });

  it('Task.events pages through the log with fullText, the polling fallback', async () => {
    const { taskId } = await startRewrite({ originalText: CHINESE_TEXT });
    const polled: any[] = [];
    await waitFor(
      async () => {
        const page = (await t.gql(TASK_EVENTS, { id: taskId, after: polled.at(-1)?.seq ?? 0, first: 7 }, token)).data.task.events;
        polled.push(...page);
        return polled.at(-1)?.__typename === 'CompletedEvent';
      },
      { intervalMs: 10 },
    );
    expectContiguous(polled, 1);
    const output = polled.at(-1).output.text;
    expect(polled.filter((e) => e.__typename === 'TokenEvent').at(-1).fullText.trim()).toBe(output);
  });

  it('stageProgress follows new tasks of the stage and replays a finished one only when asked', async () => {
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Stage follow', originalTopic: 'a river that flows uphill' } }, token);
    const projectId = p.data.createProject.id;
    const live = subscribe(t.ws(token), STAGE_PROGRESS, { projectId, stage: 'REWRITE' });
    await new Promise((r) => setTimeout(r, 200)); // let it attach: it must see a task that starts later
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', cache: 'FRESH' } }, token);
    const taskId = r.data.executeStage.id;
    await waitFor(() => live.events.at(-1)?.__typename === 'CompletedEvent', { what: 'the stage to complete' });
    expectContiguous(live.events, 1);
    expect(live.events.every((e) => e.taskId === taskId)).toBe(true);

    const late = subscribe(t.ws(token), STAGE_PROGRESS, { projectId, stage: 'REWRITE' });
    const withCursor = subscribe(t.ws(token), STAGE_PROGRESS, { projectId, stage: 'REWRITE', after: 3 });
    await waitFor(() => withCursor.events.at(-1)?.__typename === 'CompletedEvent');
    expectContiguous(withCursor.events, 4);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.events).toHaveLength(0);
    for (const s of [live, late, withCursor]) s.stop();
  });
});
