// The cache through the public API: an unchanged stage completes at once from the earlier
// output (QUEUED → RUNNING → CompletedEvent cached) and is free; FRESH always runs; the
// key is per user; a pipeline after a one-scene edit makes exactly that scene's image, clip
// and narration line and is charged for them alone; the film encodes only the scenes whose
// segment changed and is the same bytes as a whole encoding.
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
      ['REWRITE', true, 0], ['STORYBOARD', true, 0], ['IMAGE_GENERATION', true, 0], ['CAMERA_MOVEMENT', true, 0], ['VIDEO_GENERATION', true, 0], ['NARRATION', true, 0], ['FILM', true, 0],
    ]);
    const [a, b] = [await stagesOf(t, token, first), await stagesOf(t, token, second)];
    const urls = (s: Record<string, any>) => [
      ...s.IMAGE_GENERATION.output.images.map((i: any) => i.url),
      ...s.VIDEO_GENERATION.output.clips.map((c: any) => c.url),
      ...s.NARRATION.output.lines.flatMap((l: any) => (l.audioUrl ? [l.audioUrl] : [])),
      s.FILM.output.url,
    ];
    expect(urls(b)).toEqual(urls(a));
    expect((await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: first }, token)).data.deleteProject).toBe(true);
    for (const url of urls(b)) expect((await fetch(url)).status).toBe(200);
  });

  it('after a one-scene edit, a pipeline run makes exactly one image, one clip and one narration line, charged for them alone; the film encodes only the segments that changed', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token);
    const start = await credits(t, token);
    const firstRun = await runPipeline(t, token, projectId);
    const firstCost = firstRun.reduce((sum, task) => sum + task.creditsCharged, 0);
    expect(firstCost).toBe(10 + 10 + 40 + 10 + 80 + 20 + 30);
    const before = await stagesOf(t, token, projectId);

    // An unchanged pipeline is all cached and free.
    const same = await runPipeline(t, token, projectId);
    expect(same.map((task) => [task.stage, task.cached, task.creditsCharged])).toEqual([
      ['REWRITE', true, 0], ['STORYBOARD', true, 0], ['IMAGE_GENERATION', true, 0], ['CAMERA_MOVEMENT', true, 0], ['VIDEO_GENERATION', true, 0], ['NARRATION', true, 0], ['FILM', true, 0],
    ]);

    const scenes = before.STORYBOARD.output.scenes.map(({ narration, visualPrompt, durationSeconds }: any) => ({ narration, visualPrompt, durationSeconds }));
    scenes[2].visualPrompt = `${scenes[2].visualPrompt}, at night, under a full moon`;
    scenes[2].narration = 'At night, under a full moon, the keeper opens the letter.';
    expect((await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'STORYBOARD', output: { scenes } } }, token)).errors).toBeUndefined();
    const balance = await credits(t, token);
    const edited = await runPipeline(t, token, projectId);
    const by = Object.fromEntries(edited.map((task) => [task.stage, task]));
    expect(by.REWRITE).toMatchObject({ cached: true, creditsCharged: 0 });
    expect(by.STORYBOARD).toMatchObject({ cached: true, creditsCharged: 0 });
    expect(by.STORYBOARD.output.scenes[2].visualPrompt).toMatch(/under a full moon$/); // the edit survives
    expect(by.IMAGE_GENERATION).toMatchObject({ cached: false, creditsCharged: Math.ceil(40 / 5) });
    expect(by.VIDEO_GENERATION).toMatchObject({ cached: false, creditsCharged: Math.ceil(80 / 5) });
    expect(by.NARRATION).toMatchObject({ cached: false, creditsCharged: Math.ceil(20 / 5) });
    expect(by.NARRATION.output.lines[2].text).toBe('At night, under a full moon, the keeper opens the letter.');
    // The film is joined again; only the scenes whose segment changed are encoded (scene 3's
    // clip, and a later scene whose length moved by a frame), and charged.
    expect(by.FILM.cached).toBe(false);

    const after = await stagesOf(t, token, projectId);
    const changed = (stage: string, items: string, url = 'url') =>
      after[stage].output[items].filter((item: any, i: number) => item[url] !== before[stage].output[items][i][url]).map((item: any) => item.sceneIndex);
    expect(changed('IMAGE_GENERATION', 'images')).toEqual([2]);
    expect(changed('VIDEO_GENERATION', 'clips')).toEqual([2]);
    expect(changed('NARRATION', 'lines', 'audioUrl')).toEqual([2]);
    expect(after.FILM.output.url).not.toBe(before.FILM.output.url);
    // Files actually made by each task: one image, one clip, one line (and the narration's whole track).
    const made = (taskId: string) => t.app.orm.em.fork().count(MediaFile, { taskId });
    expect(await made(by.IMAGE_GENERATION.id)).toBe(1);
    expect(await made(by.VIDEO_GENERATION.id)).toBe(1);
    expect(await made(by.NARRATION.id)).toBe(2);
    const encoded = (await made(by.FILM.id)) - 3; // besides the MP4, its subtitles and its poster
    expect(encoded).toBeGreaterThanOrEqual(1);
    expect(encoded).toBeLessThan(5);
    expect(by.FILM.creditsCharged).toBe(Math.ceil((30 * encoded) / 5));
    console.log(`[film] after the one-scene edit: ${encoded} of 5 segments encoded, ${by.FILM.creditsCharged} credits`);
    for (const url of [after.VIDEO_GENERATION.output.clips[0].url, after.NARRATION.output.lines[0].audioUrl]) expect((await fetch(url)).status).toBe(200);
    // The kept lines move with the new one: each starts where the one before ends.
    const lines = after.NARRATION.output.lines;
    for (let i = 1; i < lines.length; i++) expect(lines[i].startSeconds).toBeCloseTo(lines[i - 1].startSeconds + lines[i - 1].durationSeconds, 2);

    // The same run again: everything is cached and free.
    const again = await runPipeline(t, token, projectId);
    expect(again.map((task) => [task.stage, task.cached, task.creditsCharged])).toEqual([
      ['REWRITE', true, 0], ['STORYBOARD', true, 0], ['IMAGE_GENERATION', true, 0], ['CAMERA_MOVEMENT', true, 0], ['VIDEO_GENERATION', true, 0], ['NARRATION', true, 0], ['FILM', true, 0],
    ]);
    const charged = edited.reduce((sum, task) => sum + task.creditsCharged, 0);
    expect(await credits(t, token)).toBe(balance - charged);
    expect(await credits(t, token)).toBe(start - firstCost - charged);
    expect(Object.values(after).filter((s) => s.stale)).toEqual([]);

    // A film joined from kept segments is the very film a whole encoding makes.
    const fresh = await t.gql(EXECUTE, { i: { projectId, stage: 'FILM', cache: 'FRESH' } }, token);
    await finished(t, token, fresh.data.executeStage.id);
    const whole = await t.gql(TASK_DONE, { id: fresh.data.executeStage.id }, token);
    expect(whole.data.task).toMatchObject({ cached: false, creditsCharged: 30 });
    const bytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
    expect((await bytes(whole.data.task.output.url)).equals(await bytes(after.FILM.output.url))).toBe(true);
  });
});
