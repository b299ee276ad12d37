// NARRATION on the offline provider: a synthetic voice (eSpeak NG) reads each scene's line in
// the story's language, the same bytes every time; each line is timed by its audio; without
// the voice it is timed from its length. Bad options change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineSpeechProvider } from '../../server/offline/speech/espeak.ts';
import { probe } from '../helpers/ffprobe.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';

const OUTPUTS = `query($id: ID!) { project(id: $id) {
  board: stage(name: STORYBOARD) { output { ... on StoryboardOutput { scenes { index narration } } } }
  narration: stage(name: NARRATION) { output { ... on NarrationOutput { voice audioUrl lines { sceneIndex text startSeconds durationSeconds audioUrl } } } } } }`;

async function runStage(t: TestApp, token: string, projectId: string, stage: string, input?: unknown) {
  const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input } }, token);
  expect(r.errors).toBeUndefined();
  const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: r.data.executeStage.id, after: 0 });
  await sub.done;
  return { task: (await t.gql(TASK, { id: r.data.executeStage.id }, token)).data.task, events: sub.events };
}

async function narrate(t: TestApp, token: string, text: string, input?: unknown) {
  const p = await t.gql(CREATE_PROJECT, { i: { name: 'Voice', originalText: text } }, token);
  const projectId = p.data.createProject.id as string;
  await runStage(t, token, projectId, 'STORYBOARD', { sceneCount: 3, text });
  const run = await runStage(t, token, projectId, 'NARRATION', input);
  const { board, narration } = (await t.gql(OUTPUTS, { id: projectId }, token)).data.project;
  return { projectId, run, scenes: board.output.scenes, output: narration.output };
}

const ZH = '守灯塔的老人在暴风雨夜收到了一封迷路的信。他点亮灯火，等待船只归来。天亮时，海面平静了。';
const EN = 'The keeper lit the lamp. A ship came home through the storm. At dawn the sea was calm.';
const bytesOf = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

describe('NARRATION on the offline provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it('speaks Chinese and English lines with a synthetic voice, timed by their audio, byte for byte the same each time', async () => {
    const { token } = await t.signUp();
    const zh = await narrate(t, token, ZH);
    expect(zh.run.task.status).toBe('COMPLETED');
    expect(zh.output.voice).toBe('cmn');
    expect(zh.output.lines.map((l: any) => l.text)).toEqual(zh.scenes.map((s: any) => s.narration.trim()));
    let start = 0;
    for (const line of zh.output.lines) {
      expect(line.startSeconds).toBeCloseTo(start, 2);
      start += line.durationSeconds;
      const probed = await probe(await bytesOf(line.audioUrl));
      expect(probed.streams[0]).toMatchObject({ codec_type: 'audio', sample_rate: '24000' });
      expect(probed.durationSeconds).toBeCloseTo(line.durationSeconds, 2);
      // A voice reads Chinese at a few characters a second: a real reading, not a beep.
      expect(line.durationSeconds).toBeGreaterThan([...line.text].length / 12);
    }
    expect((await probe(await bytesOf(zh.output.audioUrl))).durationSeconds).toBeCloseTo(start, 2);
    const steps = zh.run.events.filter((e: any) => e.__typename === 'ProgressEvent');
    expect(steps.at(-1)).toMatchObject({ step: 3, totalSteps: 3, progress: 100 });

    const en = await narrate(t, token, EN, { speed: 1.5 });
    expect(en.output.voice).toBe('en-us');
    const again = await narrate(t, token, EN, { speed: 1.5 });
    expect(again.output.lines.map((l: any) => l.durationSeconds)).toEqual(en.output.lines.map((l: any) => l.durationSeconds));
    expect((await bytesOf(again.output.lines[0].audioUrl)).equals(await bytesOf(en.output.lines[0].audioUrl))).toBe(true);
    // Faster reading is shorter.
    const slow = await narrate(t, token, EN, { speed: 0.5 });
    expect(slow.output.lines[0].durationSeconds).toBeGreaterThan(en.output.lines[0].durationSeconds * 1.5);
  });

  it('refuses bad options naming the field, changing nothing; an unknown voice fails the task and refunds it', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Bad', originalText: 'A cat. A dog. A bird.' } }, token);
    const projectId = p.data.createProject.id;
    await runStage(t, token, projectId, 'STORYBOARD', { sceneCount: 3, text: 'A cat. A dog. A bird.' });
    const before = (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits;
    for (const [input, field] of [[{ speed: 3 }, 'input.speed'], [{ voice: '' }, 'input.voice'], [{ voice: 'x;rm' }, 'input.voice'], [{ pitch: 1 }, 'input.pitch']] as const) {
      const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'NARRATION', input } }, token);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await t.gql(`query($id: ID!) { project(id: $id) { tasks(stage: NARRATION) { id } } }`, { id: projectId }, token)).data.project.tasks).toHaveLength(0);
    const unknown = await runStage(t, token, projectId, 'NARRATION', { voice: 'nope' });
    expect(unknown.task).toMatchObject({ status: 'FAILED', error: { code: 'VOICE_FAILED', retryable: false } });
    expect(unknown.task.error.message).toContain('"nope"');
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(before);
  });
});

describe('NARRATION without a synthetic voice (espeak-ng not installed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ overrides: { providers: { audio: createOfflineSpeechProvider({ available: false }) } } });
  });
  afterAll(() => t?.stop());

  it('times each line from its length and says there is no audio', async () => {
    const { token } = await t.signUp();
    const zh = await narrate(t, token, ZH);
    expect(zh.output.voice).toBeNull();
    expect(zh.output.audioUrl).toBeNull();
    for (const line of zh.output.lines) {
      expect(line.audioUrl).toBeNull();
      // About four Chinese characters a second.
      expect(line.durationSeconds).toBeGreaterThan((line.text.match(/\p{Script=Han}/gu) ?? []).length / 5);
      expect(line.durationSeconds).toBeLessThan([...line.text].length / 3 + 1);
    }
  });
});
