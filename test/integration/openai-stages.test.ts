// Every stage through the real openai SDK against an OpenAI-compatible server on loopback:
// streaming, structured output, images, videos, retries, failures and failover.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probe } from '../helpers/ffprobe.ts';
import { createFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { speechSecondsOf } from '../helpers/fake-openai-speech.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';

const STORY_ZH = '从前，山脚下有一座小小的灯塔。守塔的老人每晚点亮灯火，为迷路的船只指引方向。一天夜里，暴风雨来了……🌊 他依然守在那里。';
const NARRATION = `query($id: ID!) { project(id: $id) { stage(name: NARRATION) { output { ... on NarrationOutput { voice audioUrl lines { sceneIndex text startSeconds durationSeconds audioUrl } } } } } }`;
const STORY_EN = 'Once upon a time a lighthouse stood at the foot of a hill. Every night the keeper lit the lamp for lost ships.';

/** Answers like a model would, by what the system prompt asks for. */
function respond(request: any): string {
  const system: string = request.messages[0].content;
  const user: string = request.messages.at(-1).content;
  if (system.includes('storyboard artist')) {
    const count = Number(/exactly (\d+) consecutive scenes/.exec(system)![1]);
    return JSON.stringify({
      scenes: Array.from({ length: count }, (_, i) => ({ index: i, narration: `第${i + 1}幕：${user.slice(0, 12)}`, visualPrompt: `灯塔与海，第${i + 1}幕`, durationSeconds: 4 })),
    });
  }
  if (system.includes('director of photography')) {
    const scenes = JSON.parse(user).scenes as Array<{ index: number }>;
    return JSON.stringify({ shots: scenes.map((s) => ({ sceneIndex: s.index, movement: 'zoom-in', description: `镜头缓缓推近第${s.index + 1}幕` })) });
  }
  return /[\u4e00-\u9fff]/.test(user) ? STORY_ZH : STORY_EN;
}

describe('stages on an OpenAI-compatible provider', () => {
  let fake: FakeOpenAI;
  let backup: FakeOpenAI;
  let t: TestApp;
  let admin: { token: string };

  beforeAll(async () => {
    fake = await createFakeOpenAI({ chunkSize: 3 });
    backup = await createFakeOpenAI({ chunkSize: 5 });
    process.env.PROVIDER_KEY_BACKUP = 'backup-key';
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: `${fake.url}/v1`,
        PROVIDER_ALLOW_LOOPBACK: '1', // the fake servers listen on http://127.0.0.1
        VIDEO_POLL_INTERVAL_MS: '20',
        RETRY_BACKOFF_MS: '30',
        STORYBOARD_MODEL: 'storyboard-model-x',
        TEXT_TIME_LIMIT_MS: '1500',
      },
    });
    admin = await t.signUpAdmin();
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
    await backup?.close();
  });
  beforeEach(() => {
    fake.reset();
    backup.reset();
    fake.chat.respond(respond);
    backup.chat.respond(respond);
  });

  async function project(token: string, material: { originalTopic?: string; originalText?: string }) {
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'OpenAI', ...material } }, token);
    return p.data.createProject.id as string;
  }
  async function run(token: string, projectId: string, stage: string, input?: unknown) {
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input } }, token);
    expect(r.errors).toBeUndefined();
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: r.data.executeStage.id, after: 0 });
    await sub.done;
    const task = (await t.gql(TASK, { id: r.data.executeStage.id }, token)).data.task;
    return { task, events: sub.events };
  }
  const tokensOfAttempt = (events: any[], attempt: number) =>
    events.filter((e) => e.__typename === 'TokenEvent' && e.attempt === attempt).map((e) => e.delta).join('');

  it('REWRITE streams Chinese through the SDK intact, even when characters are split across packets', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalTopic: '山脚下的灯塔' });
    fake.failNext('chat', { splitUtf8: true });
    const { task, events } = await run(token, projectId, 'REWRITE');
    expect(task.status).toBe('COMPLETED');
    expect(task.output.text).toBe(STORY_ZH);
    expect(tokensOfAttempt(events, 1)).toBe(STORY_ZH);
    const request = fake.requests.find((r) => r.route === 'chat')!;
    expect(request.body).toMatchObject({ model: 'gpt-4o-mini', stream: true });
    expect((request.body as any).messages[0].content).toContain('Simplified Chinese');
    expect(request.headers.authorization).toBe('Bearer test-key');
    expect(events.find((e) => e.__typename === 'TokenEvent')).toMatchObject({ provider: 'openai-text', model: 'gpt-4o-mini' });
  });

  it('a 429 is retried as a new attempt that starts its text from empty', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalTopic: 'a lighthouse' });
    fake.failNext('chat', { cutAfterChunks: 4 }, { status: 429, message: 'slow down', retryAfterSeconds: 1 });
    const { task, events } = await run(token, projectId, 'REWRITE');
    expect(task).toMatchObject({ status: 'COMPLETED', attempt: 3, output: { text: STORY_EN } });
    const failed = events.filter((e) => e.__typename === 'FailedEvent');
    expect(failed.map((e) => [e.attempt, e.willRetry, e.error.code])).toEqual([
      [1, true, 'PROVIDER_STREAM_ERROR'],
      [2, true, 'PROVIDER_RATE_LIMITED'],
    ]);
    expect(failed[1].error.message).not.toContain('slow down'); // the provider's words are logged, not shown
    expect(failed[0].retryInMs).toBeGreaterThan(0);
    // The provider's retry-after is honoured, and the wait announced is the wait taken.
    expect(failed[1].retryInMs).toBeGreaterThanOrEqual(1000);
    const third = events.find((e) => e.status === 'RUNNING' && e.attempt === 3);
    expect(Date.parse(third.at) - Date.parse(failed[1].at)).toBeGreaterThanOrEqual(950);
    const statuses = events.filter((e) => e.__typename === 'TaskStatusEvent').map((e) => e.status);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'RETRYING', 'RUNNING', 'RETRYING', 'RUNNING', 'COMPLETED']);
    expect(tokensOfAttempt(events, 1).length).toBeGreaterThan(0); // the cut attempt streamed a little
    expect(tokensOfAttempt(events, 3)).toBe(STORY_EN);
    expect(events.filter((e) => e.__typename === 'TokenEvent' && e.attempt === 3).at(-1).fullText).toBe(STORY_EN);
  });

  it('a 400 fails at once, without the provider message; 500s fail after the last attempt; credits come back', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalTopic: 'a lighthouse' });
    fake.failNext('chat', { status: 400, message: 'Invalid prompt: too spooky' });
    const bad = await run(token, projectId, 'REWRITE');
    expect(bad.task).toMatchObject({ status: 'FAILED', attempt: 1, error: { code: 'PROVIDER_BAD_REQUEST', retryable: false } });
    expect(bad.task.error.message).not.toContain('too spooky');
    expect(bad.events.at(-1)).toMatchObject({ __typename: 'FailedEvent', willRetry: false });

    fake.failNext('chat', { status: 500 }, { status: 500 }, { status: 503 });
    const down = await run(token, projectId, 'REWRITE');
    expect(down.task).toMatchObject({ status: 'FAILED', attempt: 3, error: { retryable: true } });
    expect(down.events.filter((e) => e.__typename === 'FailedEvent').map((e) => e.willRetry)).toEqual([true, true, false]);
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000);
  });

  it('runs STORYBOARD and CAMERA_MOVEMENT with structured output, and retries a malformed answer', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalText: STORY_ZH });
    await run(token, projectId, 'REWRITE');
    let calls = 0;
    fake.chat.respond((request: any) => (++calls === 1 ? '{"scenes": [{"index": 0}]}' : respond(request)));
    const board = await run(token, projectId, 'STORYBOARD', { sceneCount: 3 });
    expect(board.task.status).toBe('COMPLETED');
    expect(board.task.attempt).toBe(2);
    expect(board.events.find((e) => e.__typename === 'FailedEvent').error.code).toBe('MALFORMED_OUTPUT');
    const storyboardRequest = fake.requests.filter((r) => r.route === 'chat').at(-1)!.body as any;
    expect(storyboardRequest.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'storyboard', strict: true } });
    // The stage's configured model, recorded on its events.
    expect(storyboardRequest.model).toBe('storyboard-model-x');
    expect(board.events.at(-1)).toMatchObject({ provider: 'openai-text', model: 'storyboard-model-x' });
    const camera = await run(token, projectId, 'CAMERA_MOVEMENT');
    expect(camera.task.status).toBe('COMPLETED');
    const shots = (await t.gql(`query($id: ID!) { project(id: $id) { stage(name: CAMERA_MOVEMENT) { output { ... on CameraOutput { shots { sceneIndex movement description } } } } } }`, { id: projectId }, token)).data.project.stage.output.shots;
    expect(shots.map((s: any) => s.movement)).toEqual(['zoom-in', 'zoom-in', 'zoom-in']);
    expect(shots[2].description).toContain('第3幕');
  });

  it('generates images and clips through the images and videos APIs, with progress', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalText: STORY_EN });
    await run(token, projectId, 'REWRITE');
    await run(token, projectId, 'STORYBOARD', { sceneCount: 2 });
    await run(token, projectId, 'CAMERA_MOVEMENT');
    fake.failNext('images', { status: 500 }); // one image fails: the attempt is retried
    const images = await run(token, projectId, 'IMAGE_GENERATION', { size: '1536x1024' });
    expect(images.task.status).toBe('COMPLETED');
    const imageRequest = fake.requests.find((r) => r.route === 'images')!.body as any;
    expect(imageRequest).toMatchObject({ model: 'gpt-image-1', size: '1536x1024' });
    const steps = images.events.filter((e) => e.__typename === 'ProgressEvent' && e.attempt === images.task.attempt);
    expect(steps.at(-1)).toMatchObject({ step: 2, totalSteps: 2, progress: 100, provider: 'openai-image' });

    const video = await run(token, projectId, 'VIDEO_GENERATION', { secondsPerClip: 8 });
    expect(video.task.status).toBe('COMPLETED');
    const create = fake.requests.find((r) => r.route === 'videos.create')!;
    expect(create.body).toMatchObject({ model: 'sora-2', seconds: '8', size: '1280x720' });
    expect(fake.requests.filter((r) => r.route === 'videos.retrieve').length).toBeGreaterThanOrEqual(2);
    const clips = (await t.gql(`query($id: ID!) { project(id: $id) { stage(name: VIDEO_GENERATION) { output { ... on VideoOutput { clips { url durationSeconds } } } } } }`, { id: projectId }, token)).data.project.stage.output.clips;
    expect(clips).toHaveLength(2);
    expect(clips[0].durationSeconds).toBe(8);
    const clip = await fetch(clips[0].url);
    expect(clip.status).toBe(200);
    expect(Number(clip.headers.get('content-length'))).toBeGreaterThan(0);
    const progress = video.events.filter((e) => e.__typename === 'ProgressEvent').map((e) => e.progress);
    expect(progress.at(-1)).toBe(100);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    const waiting = video.events.filter((e) => e.__typename === 'ProgressEvent' && e.progress > 0 && e.progress < 100);
    expect(waiting.every((e) => typeof e.etaSeconds === 'number')).toBe(true); // an ETA while it waits

    // The film of the provider's clips (GIFs here) and its voice (audio.speech): H.264 + AAC.
    expect((await run(token, projectId, 'NARRATION')).task.status).toBe('COMPLETED');
    const film = await run(token, projectId, 'FILM', { aspect: '16:9' });
    expect(film.task.status).toBe('COMPLETED');
    const out = (await t.gql(`query($id: ID!) { project(id: $id) { stage(name: FILM) { output { ... on FilmOutput { url durationSeconds width height } } } } }`, { id: projectId }, token)).data.project.stage.output;
    const lines = (await t.gql(NARRATION, { id: projectId }, token)).data.project.stage.output.lines;
    const total = lines.reduce((sum: number, l: any) => sum + l.durationSeconds, 0);
    const probed = await probe(Buffer.from(await (await fetch(out.url)).arrayBuffer()));
    expect(probed.streams.filter((s) => s.codec_type !== 'subtitle').map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(probed.streams[0]).toMatchObject({ width: 256, height: 144 });
    expect(Math.abs(probed.durationSeconds - total)).toBeLessThanOrEqual(0.5);
  });

  it('NARRATION reads each line through audio.speech, timed by the audio it got back, failing over like any provider', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalText: STORY_ZH });
    await run(token, projectId, 'REWRITE');
    await run(token, projectId, 'STORYBOARD', { sceneCount: 3 });
    // A second AUDIO provider takes over when the first answers 503.
    const create = `mutation($i: CreateModelProviderInput!) { createModelProvider(input: $i) { id kind } }`;
    const made = await t.gql(create, { i: { name: 'backup-voice', kind: 'AUDIO', baseUrl: `${backup.url}/v1`, apiKeyEnv: 'PROVIDER_KEY_BACKUP', model: 'backup-tts', priority: 1 } }, admin.token);
    expect(made.data.createModelProvider.kind).toBe('AUDIO');
    fake.failNext('speech', { status: 503 });
    const narration = await run(token, projectId, 'NARRATION', { speed: 1.25 });
    await t.gql(`mutation($id: ID!) { deleteModelProvider(id: $id) }`, { id: made.data.createModelProvider.id }, admin.token);
    expect(narration.task.status).toBe('COMPLETED');
    expect(narration.task.creditsCharged).toBe(20);
    const steps = narration.events.filter((e) => e.__typename === 'ProgressEvent');
    expect(steps.at(-1)).toMatchObject({ step: 3, totalSteps: 3, progress: 100 });

    const speech = [...fake.requests, ...backup.requests].filter((r) => r.route === 'speech' && !r.fault);
    expect(speech).toHaveLength(3);
    expect(backup.requests.filter((r) => r.route === 'speech')).toHaveLength(1);
    for (const r of speech) expect(r.body).toMatchObject({ voice: 'alloy', speed: 1.25, response_format: 'wav' });
    expect(fake.requests.find((r) => r.route === 'speech' && !r.fault)!.body).toMatchObject({ model: 'gpt-4o-mini-tts' });
    expect(backup.requests.find((r) => r.route === 'speech')!.body).toMatchObject({ model: 'backup-tts' });

    const out = (await t.gql(NARRATION, { id: projectId }, token)).data.project.stage.output;
    const scenes = (await t.gql(`query($id: ID!) { project(id: $id) { stage(name: STORYBOARD) { output { ... on StoryboardOutput { scenes { narration } } } } } }`, { id: projectId }, token)).data.project.stage.output.scenes;
    expect(out.voice).toBe('alloy');
    expect(out.lines.map((l: any) => l.text)).toEqual(scenes.map((s: any) => s.narration));
    let start = 0;
    for (const line of out.lines) {
      // The length of the audio the provider sent (the fake's rule), not a guess from the text.
      expect(line.durationSeconds).toBeCloseTo(speechSecondsOf(line.text, 1.25), 2);
      expect(line.startSeconds).toBeCloseTo(start, 2);
      start += line.durationSeconds;
      const audio = await fetch(line.audioUrl);
      expect(audio.headers.get('content-type')).toBe('audio/wav');
      const probed = await probe(Buffer.from(await audio.arrayBuffer()));
      expect(probed.durationSeconds).toBeCloseTo(line.durationSeconds, 2);
    }
    const track = await probe(Buffer.from(await (await fetch(out.audioUrl)).arrayBuffer()));
    expect(track.durationSeconds).toBeCloseTo(start, 2);
  });

  it('fails over to the next provider by priority; only admins manage providers', async () => {
    const { token } = await t.signUp();
    const create = `mutation($i: CreateModelProviderInput!) { createModelProvider(input: $i) { id name kind keyPresent active priority } }`;
    const input = { name: 'backup-text', kind: 'TEXT', baseUrl: `${backup.url}/v1`, apiKeyEnv: 'PROVIDER_KEY_BACKUP', model: 'backup-model', priority: 10 };
    expect((await t.gql(create, { i: input }, token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await t.gql(create, { i: { ...input, apiKeyEnv: 'sk-live-secret' } }, admin.token);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.apiKeyEnv' });
    const made = await t.gql(create, { i: input }, admin.token);
    expect(made.data.createModelProvider).toMatchObject({ name: 'backup-text', kind: 'TEXT', keyPresent: true, active: true });
    const list = (await t.gql(`{ modelProviders { name kind priority } }`, {}, admin.token)).data.modelProviders;
    expect(list.map((p: any) => p.name)).toEqual(expect.arrayContaining(['openai-text', 'openai-image', 'openai-video', 'backup-text']));

    const projectId = await project(token, { originalTopic: 'a lighthouse' });
    fake.failNext('chat', { status: 503 });
    const { task, events } = await run(token, projectId, 'REWRITE');
    expect(task).toMatchObject({ status: 'COMPLETED', attempt: 1 });
    expect(events.find((e) => e.__typename === 'TokenEvent')).toMatchObject({ provider: 'backup-text', model: 'backup-model' });
    expect(backup.requests.find((r) => r.route === 'chat')!.headers.authorization).toBe('Bearer backup-key');
    await t.gql(`mutation($id: ID!) { deleteModelProvider(id: $id) }`, { id: made.data.createModelProvider.id }, admin.token);
  });

  it('an attempt past its time limit is aborted and fails with TIME_LIMIT, not retried', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalTopic: 'a lighthouse' });
    fake.failNext('chat', { hangMs: 10_000 });
    const started = Date.now();
    const { task, events } = await run(token, projectId, 'REWRITE');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(task).toMatchObject({ status: 'FAILED', attempt: 1, error: { code: 'TIME_LIMIT', retryable: false } });
    expect(events.at(-1)).toMatchObject({ __typename: 'FailedEvent', willRetry: false });
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000);
  });

  it('cancel aborts the provider request and ends the task within 2 seconds', async () => {
    const { token } = await t.signUp();
    const projectId = await project(token, { originalTopic: 'a lighthouse' });
    fake.failNext('chat', { hangMs: 20_000 });
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE' } }, token);
    const taskId = r.data.executeStage.id;
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    while (!sub.events.some((e) => e.status === 'RUNNING')) await new Promise((res) => setTimeout(res, 20));
    const started = Date.now();
    await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id: taskId }, token);
    await sub.done;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sub.events.at(-1)).toMatchObject({ status: 'CANCELLED' });
  });
});
