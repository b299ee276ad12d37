// refineStage through the public API: it streams like a text stage and its answer becomes
// the current version; the offline engine makes a real revision in English and Chinese;
// the model (through the openai SDK, on a loopback server) is given the current output,
// the instructions and the earlier ones of the chain, in the project's language;
// `interrupt` supersedes a running REWRITE and revises what it had written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Task } from '../../server/db/entities.ts';
import { createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { REFINE, TASK_DONE, credits, finished, stagesOf } from '../helpers/versions.ts';

async function project(t: TestApp, token: string, topic: string): Promise<string> {
  return (await t.gql(CREATE_PROJECT, { i: { name: topic.slice(0, 20), originalTopic: topic } }, token)).data.createProject.id;
}

async function run(t: TestApp, token: string, projectId: string, stage: string, input?: unknown): Promise<void> {
  const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input } }, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  await finished(t, token, r.data.executeStage.id);
}

describe('refineStage on the offline provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '2', OFFLINE_STEP_DELAY_MS: '5' } });
  });
  afterAll(() => t?.stop());

  it('streams the revision, charges like executeStage and makes it the current version (English)', async () => {
    const { token } = await t.signUp();
    const projectId = await project(t, token, 'a lighthouse keeper who receives a lost letter');
    await run(t, token, projectId, 'REWRITE');
    const before = (await stagesOf(t, token, projectId)).REWRITE.output.text as string;
    const balance = await credits(t, token);

    const r = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: 'Make the ending happier.' } }, token);
    expect(r.errors).toBeUndefined();
    expect(r.data.refineStage).toMatchObject({ stage: 'REWRITE', creditsCharged: 10 });
    const events = await finished(t, token, r.data.refineStage.id);
    const tokens = events.filter((e) => e.__typename === 'TokenEvent');
    expect(tokens.length).toBeGreaterThan(5);
    expect(events.at(-1).__typename).toBe('CompletedEvent');

    const stage = (await stagesOf(t, token, projectId)).REWRITE;
    expect(stage.output.text).toBe(tokens.at(-1).fullText.trim());
    expect(stage.output.text).not.toBe(before);
    expect(stage.output.text).toMatch(/everything turned out well/);
    // The story before the ending is kept.
    expect(stage.output.text.slice(0, 60)).toBe(before.slice(0, 60));
    expect(stage.versions[0]).toMatchObject({ source: 'REFINE', instructions: 'Make the ending happier.', current: true, task: { id: r.data.refineStage.id } });
    expect(stage.versions[1]).toMatchObject({ source: 'RUN', current: false });
    expect(await credits(t, token)).toBe(balance - 10);
  });

  it('revises a Chinese story in Chinese, and a storyboard by scene and by count', async () => {
    const { token } = await t.signUp();
    const projectId = await project(t, token, '一位守灯塔的老人在暴风雨夜收到了一封迷路的信');
    await run(t, token, projectId, 'REWRITE');
    const r = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: '结尾更圆满一些' } }, token);
    await finished(t, token, r.data.refineStage.id);
    const rewrite = (await stagesOf(t, token, projectId)).REWRITE;
    expect(rewrite.output.text).toMatch(/圆满的结局/);
    expect(rewrite.output.text).not.toMatch(/[A-Za-z]{4,}/);

    await run(t, token, projectId, 'STORYBOARD');
    const scenes = (await stagesOf(t, token, projectId)).STORYBOARD.output.scenes;
    const night = await t.gql(REFINE, { i: { projectId, stage: 'STORYBOARD', instructions: '第二个场景改成夜晚' } }, token);
    await finished(t, token, night.data.refineStage.id);
    const revised = (await stagesOf(t, token, projectId)).STORYBOARD.output.scenes;
    expect(revised[1].visualPrompt).toBe(`${scenes[1].visualPrompt}，夜晚`);
    expect(revised.filter((s: any, i: number) => s.visualPrompt !== scenes[i].visualPrompt)).toHaveLength(1);

    const three = await t.gql(REFINE, { i: { projectId, stage: 'STORYBOARD', instructions: '分成三个场景' } }, token);
    await finished(t, token, three.data.refineStage.id);
    const board = (await stagesOf(t, token, projectId)).STORYBOARD;
    expect(board.output.scenes).toHaveLength(3);
    expect(board.versions.map((v: any) => v.source)).toEqual(['REFINE', 'REFINE', 'RUN']);
    expect(board.versions.map((v: any) => v.instructions)).toEqual(['分成三个场景', '第二个场景改成夜晚', null]);
  });

  it('refuses what it cannot refine, naming the field, and changes nothing', async () => {
    const { token } = await t.signUp();
    const projectId = await project(t, token, 'a fox in the snow');
    const balance = await credits(t, token);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ stage: 'REWRITE', instructions: '   ' }, 'BAD_USER_INPUT'],
      [{ stage: 'REWRITE', instructions: 'x'.repeat(2001) }, 'BAD_USER_INPUT'],
      [{ stage: 'IMAGE_GENERATION', instructions: 'brighter' }, 'BAD_USER_INPUT'],
      [{ stage: 'REWRITE', instructions: 'shorter' }, 'PRECONDITION_FAILED'],
    ];
    for (const [input, code] of cases) {
      const r = await t.gql(REFINE, { i: { projectId, ...input } }, token);
      expect(r.errors?.[0].extensions?.code).toBe(code);
      if (code === 'BAD_USER_INPUT') expect(r.errors?.[0].extensions?.field).toMatch(/^input\.(instructions|stage)$/);
    }
    expect(await t.app.orm.em.fork().count(Task, { projectId })).toBe(0);
    expect(await credits(t, token)).toBe(balance);
  });
});

describe('refineStage interrupting a running REWRITE', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '40', OFFLINE_STEP_DELAY_MS: '5' } });
  });
  afterAll(() => t?.stop());

  it('without interrupt is a CONFLICT; with it the task is superseded and its partial text revised', async () => {
    const { token } = await t.signUp();
    const projectId = await project(t, token, 'a lighthouse keeper who receives a lost letter');
    const started = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    const runningId = started.data.executeStage.id;
    const watch = subscribe(t.ws(token), TASK_PROGRESS, { taskId: runningId, after: 0 });
    await waitFor(() => watch.events.filter((e) => e.__typename === 'TokenEvent').length >= 25, { what: 'some streamed text' });

    const refused = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: 'Make the ending happier.' } }, token);
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');

    const r = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: 'Make the ending happier.', interrupt: true } }, token);
    expect(r.errors).toBeUndefined();
    await watch.done;
    const superseded = (await t.gql(`query($id: ID!) { task(id: $id) { status message } }`, { id: runningId }, token)).data.task;
    expect(superseded).toEqual({ status: 'CANCELLED', message: 'Superseded by a refine.' });
    const partial = watch.events.filter((e) => e.__typename === 'TokenEvent').at(-1).fullText as string;

    await finished(t, token, r.data.refineStage.id);
    const done = (await t.gql(TASK_DONE, { id: r.data.refineStage.id }, token)).data.task;
    expect(done.status).toBe('COMPLETED');
    const text = done.output.text as string;
    // It starts from the words the superseded task had written, and is a revision of them.
    const firstSentence = partial.split(/(?<=[.!?])\s/)[0]!;
    expect(firstSentence.length).toBeGreaterThan(10);
    expect(text.startsWith(firstSentence)).toBe(true);
    expect(text).toMatch(/everything turned out well/);
    const rewrite = (await stagesOf(t, token, projectId)).REWRITE;
    expect(rewrite.output.text).toBe(text);
    expect(rewrite.versions).toHaveLength(1);
    expect(rewrite.versions[0]).toMatchObject({ source: 'REFINE', current: true });
  });
});

describe('refineStage on an OpenAI-compatible provider', () => {
  let fake: FakeOpenAI;
  let t: TestApp;
  beforeAll(async () => {
    fake = await createFakeOpenAI({ chunkSize: 4 });
    t = await startTestApp({ env: { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: `${fake.url}/v1`, PROVIDER_ALLOW_LOOPBACK: '1' } });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
  });

  it("gives the model the current output, the instructions and the chain's earlier ones, in the project's language", async () => {
    let answer = '从前，山脚下有一座灯塔。守塔的老人每晚点亮灯火。';
    fake.chat.respond(() => answer);
    const { token } = await t.signUp();
    const projectId = await project(t, token, '守灯塔的老人');
    await run(t, token, projectId, 'REWRITE');

    answer = '从前，山脚下有一座灯塔。守塔的老人每晚点亮灯火。最后，迷路的船平安回家了。';
    const first = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: '结尾更圆满一些' } }, token);
    await finished(t, token, first.data.refineStage.id);
    answer = '山脚下有一座灯塔。最后，迷路的船平安回家了。';
    const second = await t.gql(REFINE, { i: { projectId, stage: 'REWRITE', instructions: '再短一点' } }, token);
    const events = await finished(t, token, second.data.refineStage.id);
    expect(events.filter((e) => e.__typename === 'TokenEvent').length).toBeGreaterThan(0);

    const request = fake.requests.filter((r) => r.route === 'chat').at(-1)!.body as any;
    expect(request.stream).toBe(true);
    const [system, user] = request.messages.map((m: any) => m.content as string);
    expect(system).toMatch(/Simplified Chinese/);
    expect(user).toContain('从前，山脚下有一座灯塔。守塔的老人每晚点亮灯火。最后，迷路的船平安回家了。');
    expect(user).toMatch(/Earlier instructions[^\n]*\n1\. 结尾更圆满一些/);
    expect(user).toMatch(/Instructions:\n再短一点/);
    expect((await stagesOf(t, token, projectId)).REWRITE.output.text).toBe(answer);
  });
});
