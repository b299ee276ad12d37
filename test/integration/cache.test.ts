// The cache through the public API: an unchanged stage completes at once from the earlier
// output (QUEUED → RUNNING → CompletedEvent cached) and is free; FRESH always runs; the
// key is per user; a pipeline after a one-scene edit makes exactly that scene's image and
// clip and is charged for them alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaFile } from '../../server/db/entities.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CREATE_PROJECT } from '../helpers/queries.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { EXECUTE, TASK_DONE, UPDATE_OUTPUT, credits, finished, runPipeline, stagesOf } from '../helpers/versions.ts';

const TOPIC = 'a lighthouse keeper who receives a lost letter';

describe.each(DIALECTS)('the cache of stage outputs on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ dialect, env: { OFFLINE_TOKEN_DELAY_MS: '1', OFFLINE_STEP_DELAY_MS: '5' } });
  });
  afterAll(() => t?.stop());

  const project = async (token: string, topic = TOPIC) => (await t.gql(CREATE_PROJECT, { i: { name: 'Cache', originalTopic: topic } }, token)).data.createProject.id as string;
  const execute = async (token: string, projectId: string, cache?: string) => {
    const r = await t.gql(EXECUTE, { i: { projectId, stage: 'REWRITE', ...(cache ? { cache } : {}) } }, token);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    const events = await finished(t, token, r.data.executeStage.id);
    return { events, task: (await t.gql(TASK_DONE, { id: r.data.executeStage.id }, token)).data.task };
  };
  const kinds = (events: any[]) => events.map((e) => (e.__typename === 'TaskStatusEvent' ? e.status : e.__typename));

  it('a second identical run completes at once from the first, free; FRESH runs again and is charged', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token);
    const first = await execute(token, projectId);
    expect(first.task).toMatchObject({ status: 'COMPLETED', cached: false, creditsCharged: 10 });
    const balance = await credits(t, token);

    const second = await execute(token, projectId);
    expect(second.task).toMatchObject({ status: 'COMPLETED', cached: true, creditsCharged: 0 });
    expect(second.task.output.text).toBe(first.task.output.text);
    expect(kinds(second.events)).toEqual(['QUEUED', 'RUNNING', 'COMPLETED', 'CompletedEvent']);
    const completed = await t.gql(`query($id: ID!) { task(id: $id) { events { __typename ... on CompletedEvent { cached } } } }`, { id: second.task.id }, token);
    expect(completed.data.task.events.at(-1)).toEqual({ __typename: 'CompletedEvent', cached: true });
    expect(await credits(t, token)).toBe(balance);

    const fresh = await execute(token, projectId, 'FRESH');
    expect(fresh.task).toMatchObject({ status: 'COMPLETED', cached: false, creditsCharged: 10 });
    expect(kinds(fresh.events).filter((k) => k === 'TokenEvent').length).toBeGreaterThan(3);
    expect(await credits(t, token)).toBe(balance - 10);
    const versions = (await stagesOf(t, token, projectId)).REWRITE.versions;
    expect(versions.map((v: any) => [v.source, v.task.cached])).toEqual([['RUN', false], ['RUN', true], ['RUN', false]]);
  });

  it('the key is per user: the same project material of another user runs; another project of the same user is reused', async () => {
    const a = await t.signUp();
    const b = await t.signUp();
    const topic = 'a fox who learns to read the stars';
    await execute(a.token, await project(a.token, topic));
    const again = await execute(a.token, await project(a.token, topic));
    expect(again.task).toMatchObject({ cached: true, creditsCharged: 0 });
    const other = await execute(b.token, await project(b.token, topic));
    expect(other.task).toMatchObject({ cached: false, creditsCharged: 10 });
  });

  it('a cached image or clip of another project is shared: deleting that project keeps what the other still shows', async () => {
    const { token } = await t.signUp();
    const topic = 'an old clockmaker who repairs time itself';
    const first = await project(token, topic);
    await runPipeline(t, token, first);
    const second = await project(token, topic);
    const tasks = await runPipeline(t, token, second);
    expect(tasks.map((task) => [task.stage, task.cached, task.creditsCharged])).toEqual([
      ['REWRITE', true, 0], ['STORYBOARD', true, 0], ['IMAGE_GENERATION', true, 0], ['CAMERA_MOVEMENT', true, 0], ['VIDEO_GENERATION', true, 0],
    ]);
    const [a, b] = [await stagesOf(t, token, first), await stagesOf(t, token, second)];
    const urls = (s: Record<string, any>) => [...s.IMAGE_GENERATION.output.images.map((i: any) => i.url), ...s.VIDEO_GENERATION.output.clips.map((c: any) => c.url)];
    expect(urls(b)).toEqual(urls(a));
    expect((await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: first }, token)).data.deleteProject).toBe(true);
    for (const url of urls(b)) expect((await fetch(url)).status).toBe(200);
  });

  it('after a one-scene edit, a pipeline run makes exactly one image and one clip, charged for them alone', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token);
    const start = await credits(t, token);
    const firstRun = await runPipeline(t, token, projectId);
    const firstCost = firstRun.reduce((sum, task) => sum + task.creditsCharged, 0);
    expect(firstCost).toBe(10 + 10 + 40 + 10 + 80);
    const before = await stagesOf(t, token, projectId);

    // An unchanged pipeline is all cached and free.
    const same = await runPipeline(t, token, projectId);
    expect(same.map((task) => [task.stage, task.cached, task.creditsCharged])).toEqual([
      ['REWRITE', true, 0], ['STORYBOARD', true, 0], ['IMAGE_GENERATION', true, 0], ['CAMERA_MOVEMENT', true, 0], ['VIDEO_GENERATION', true, 0],
    ]);

    const scenes = before.STORYBOARD.output.scenes.map(({ narration, visualPrompt, durationSeconds }: any) => ({ narration, visualPrompt, durationSeconds }));
    scenes[2].visualPrompt = `${scenes[2].visualPrompt}, at night, under a full moon`;
    expect((await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'STORYBOARD', output: { scenes } } }, token)).errors).toBeUndefined();
    const balance = await credits(t, token);
    const edited = await runPipeline(t, token, projectId);
    const by = Object.fromEntries(edited.map((task) => [task.stage, task]));
    expect(by.REWRITE).toMatchObject({ cached: true, creditsCharged: 0 });
    expect(by.STORYBOARD).toMatchObject({ cached: true, creditsCharged: 0 });
    expect(by.STORYBOARD.output.scenes[2].visualPrompt).toMatch(/under a full moon$/); // the edit survives
    expect(by.IMAGE_GENERATION).toMatchObject({ cached: false, creditsCharged: Math.ceil(40 / 5) });
    expect(by.VIDEO_GENERATION).toMatchObject({ cached: false, creditsCharged: Math.ceil(80 / 5) });

    const after = await stagesOf(t, token, projectId);
    const changed = (stage: string, items: string) =>
      after[stage].output[items].filter((item: any, i: number) => item.url !== before[stage].output[items][i].url).map((item: any) => item.sceneIndex);
    expect(changed('IMAGE_GENERATION', 'images')).toEqual([2]);
    expect(changed('VIDEO_GENERATION', 'clips')).toEqual([2]);
    // Files actually made by each task: one image, one clip.
    const made = (taskId: string) => t.app.orm.em.fork().count(MediaFile, { taskId });
    expect(await made(by.IMAGE_GENERATION.id)).toBe(1);
    expect(await made(by.VIDEO_GENERATION.id)).toBe(1);
    const reused = await fetch(after.VIDEO_GENERATION.output.clips[0].url);
    expect(reused.status).toBe(200);

    const charged = edited.reduce((sum, task) => sum + task.creditsCharged, 0);
    expect(await credits(t, token)).toBe(balance - charged);
    expect(await credits(t, token)).toBe(start - firstCost - charged);
    expect(Object.values(after).filter((s) => s.stale)).toEqual([]);
  });
});
