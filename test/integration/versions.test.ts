// Versions of stage outputs through the public API: every completed task is a version and
// the current one is what the stage shows and what later stages read; a hand edit is checked
// like a model's answer; stale follows the graph; another user's versions are not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StageVersion } from '../../server/db/entities.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { CREATE_PROJECT } from '../helpers/queries.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { EXECUTE, SELECT_VERSION, UPDATE_OUTPUT, credits, finished, runPipeline, stagesOf } from '../helpers/versions.ts';

const staleOf = (stages: Record<string, { stale: boolean }>) =>
  Object.entries(stages)
    .filter(([, s]) => s.stale)
    .map(([name]) => name);

describe.each(DIALECTS)('versions on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let projectId: string;

  beforeAll(async () => {
    t = await startTestApp({ dialect, env: { OFFLINE_TOKEN_DELAY_MS: '1', OFFLINE_STEP_DELAY_MS: '5' } });
    ({ token } = await t.signUp());
    projectId = (await t.gql(CREATE_PROJECT, { i: { name: 'Lighthouse', originalTopic: 'a lighthouse keeper who receives a lost letter' } }, token)).data.createProject.id;
    await runPipeline(t, token, projectId);
  });
  afterAll(() => t?.stop());

  it('each completed task is the current version; a FRESH run adds one, and an earlier one can be selected again', async () => {
    let stages = await stagesOf(t, token, projectId);
    for (const s of Object.values(stages)) {
      expect(s.versions).toHaveLength(1);
      expect(s.versions[0]).toMatchObject({ source: 'RUN', current: true });
      expect(s.stale).toBe(false);
    }
    const first = stages.REWRITE;
    const run = await t.gql(EXECUTE, { i: { projectId, stage: 'REWRITE', input: { style: 'noir' }, cache: 'FRESH' } }, token);
    await finished(t, token, run.data.executeStage.id);
    stages = await stagesOf(t, token, projectId);
    expect(stages.REWRITE.versions.map((v: any) => v.current)).toEqual([true, false]);
    expect(stages.REWRITE.versions[0].task.id).toBe(run.data.executeStage.id);
    expect(stages.REWRITE.output.text).not.toBe(first.output.text);
    expect(staleOf(stages)).toEqual(['STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);

    const back = await t.gql(SELECT_VERSION, { p: projectId, s: 'REWRITE', v: first.versions[0].id }, token);
    expect(back.errors).toBeUndefined();
    expect(back.data.selectStageVersion.output.text).toBe(first.output.text);
    stages = await stagesOf(t, token, projectId);
    expect(stages.REWRITE.versions.map((v: any) => v.current)).toEqual([false, true]);
    expect(staleOf(stages)).toEqual([]);
  });

  it('stale follows the graph: CAMERA → VIDEO, FILM; STORYBOARD → IMAGE, CAMERA, VIDEO, NARRATION, FILM; REWRITE → every later stage', async () => {
    const before = await stagesOf(t, token, projectId);
    const shots = before.CAMERA_MOVEMENT.output.shots.map(({ sceneIndex, movement, description }: any) => ({ sceneIndex, movement, description }));
    shots[0].description = 'The camera holds on the keeper, very still.';
    const cam = await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'CAMERA_MOVEMENT', output: { shots } } }, token);
    expect(cam.errors).toBeUndefined();
    expect(cam.data.updateStageOutput.output.shots[0].description).toBe('The camera holds on the keeper, very still.');
    expect(staleOf(await stagesOf(t, token, projectId))).toEqual(['VIDEO_GENERATION', 'FILM']);

    const scenes = before.STORYBOARD.output.scenes.map(({ narration, visualPrompt, durationSeconds }: any) => ({ narration, visualPrompt, durationSeconds }));
    scenes[1].narration = 'The keeper reads the letter twice.';
    expect((await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'STORYBOARD', output: { scenes } } }, token)).errors).toBeUndefined();
    expect(staleOf(await stagesOf(t, token, projectId))).toEqual(['IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);

    expect((await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'REWRITE', output: { text: 'A shorter story, by hand.' } } }, token)).errors).toBeUndefined();
    const after = await stagesOf(t, token, projectId);
    expect(staleOf(after)).toEqual(['STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);
    expect(after.REWRITE.versions[0]).toMatchObject({ source: 'EDIT', current: true, task: null });

    // Going back to the versions the later stages were made from clears every mark.
    for (const stage of ['REWRITE', 'STORYBOARD', 'CAMERA_MOVEMENT']) {
      const original = before[stage].versions.find((v: any) => v.current);
      expect((await t.gql(SELECT_VERSION, { p: projectId, s: stage, v: original.id }, token)).errors).toBeUndefined();
    }
    expect(staleOf(await stagesOf(t, token, projectId))).toEqual([]);
  });

  it('a stage that never ran is not stale: with only REWRITE and STORYBOARD made, a REWRITE edit marks STORYBOARD alone', async () => {
    const other = (await t.gql(CREATE_PROJECT, { i: { name: 'Half', originalTopic: 'a fox who learns to read the stars' } }, token)).data.createProject.id;
    for (const stage of ['REWRITE', 'STORYBOARD']) {
      const run = await t.gql(EXECUTE, { i: { projectId: other, stage } }, token);
      expect(run.errors).toBeUndefined();
      await finished(t, token, run.data.executeStage.id);
    }
    expect((await t.gql(UPDATE_OUTPUT, { i: { projectId: other, stage: 'REWRITE', output: { text: 'The fox reads one star, then all of them.' } } }, token)).errors).toBeUndefined();
    expect(staleOf(await stagesOf(t, token, other))).toEqual(['STORYBOARD']);
  });

  it.each([
    ['STORYBOARD', { scenes: [{ narration: 'x', visualPrompt: 'y', durationSeconds: 'long' }] }, 'input.output.scenes[0].durationSeconds', /number of seconds/],
    ['STORYBOARD', { scenes: [{ narration: '', visualPrompt: 'y', durationSeconds: 3 }] }, 'input.output.scenes[0].narration', /non-empty string/],
    ['STORYBOARD', { scenes: [] }, 'input.output.scenes', /1 to 20 scenes/],
    ['STORYBOARD', { scenes: 'one' }, 'input.output.scenes', /list/],
    ['STORYBOARD', { scenes: [], title: 'x' }, 'input.output.title', /not a field of a STORYBOARD output/],
    ['CAMERA_MOVEMENT', { shots: [{ sceneIndex: 0, movement: 'spin', description: 'x' }] }, 'input.output.shots[0].movement', /one of pan-left/],
    ['CAMERA_MOVEMENT', { shots: [{ sceneIndex: 0, movement: 'static', description: 'x' }] }, 'input.output.shots', /one shot for each of the 5 scenes/],
    ['REWRITE', { text: '   ' }, 'input.output.text', /non-empty string/],
    ['REWRITE', 'a story', 'input.output', /JSON object/],
    ['IMAGE_GENERATION', { images: [] }, 'input.stage', /text stage/],
  ])('a bad %s edit is refused naming the field, and changes nothing', async (stage, output, field, rule) => {
    const before = await stagesOf(t, token, projectId);
    const balance = await credits(t, token);
    const r = await t.gql(UPDATE_OUTPUT, { i: { projectId, stage, output } }, token);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0].message).toMatch(rule);
    expect(await stagesOf(t, token, projectId)).toEqual(before);
    expect(await credits(t, token)).toBe(balance);
  });

  it("another user's versions and projects are NOT_FOUND, and a version of another stage too", async () => {
    const stranger = await t.signUp();
    const stages = await stagesOf(t, token, projectId);
    const versionId = stages.REWRITE.versions[0].id;
    const count = await t.app.orm.em.fork().count(StageVersion, { projectId });
    const select = await t.gql(SELECT_VERSION, { p: projectId, s: 'REWRITE', v: versionId }, stranger.token);
    expect(select.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const edit = await t.gql(UPDATE_OUTPUT, { i: { projectId, stage: 'REWRITE', output: { text: 'mine now' } } }, stranger.token);
    expect(edit.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const read = await t.gql(`query($id: ID!) { project(id: $id) { id } }`, { id: projectId }, stranger.token);
    expect(read.data.project).toBeNull();
    const wrongStage = await t.gql(SELECT_VERSION, { p: projectId, s: 'STORYBOARD', v: versionId }, token);
    expect(wrongStage.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await t.app.orm.em.fork().count(StageVersion, { projectId })).toBe(count);
    expect((await stagesOf(t, token, projectId)).REWRITE.output).toEqual(stages.REWRITE.output);
  });
});
