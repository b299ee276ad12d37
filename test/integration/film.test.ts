// FILM on the offline provider, through the public API: whole pipelines from a Chinese topic
// and an English text end with one MP4 (H.264 + AAC, as ffprobe reads it) as long as the
// narration, in the frame of the chosen aspect, with WebVTT cues that are the narration's
// lines; the file is served with Range; a cancel kills the encoder at once.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../helpers/ffprobe.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RUN = `mutation($p: ID!) { runPipeline(projectId: $p) { id stage status creditsCharged } }`;
const OUTPUTS = `query($id: ID!) { project(id: $id) {
  narration: stage(name: NARRATION) { output { ... on NarrationOutput { voice audioUrl lines { sceneIndex text startSeconds durationSeconds audioUrl } } } }
  film: stage(name: FILM) { status latestTask { provider model creditsCharged } output { ... on FilmOutput { url durationSeconds width height subtitlesUrl posterUrl } } } } }`;

const bytesOf = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

/** The cues of a WebVTT file: start, end (seconds) and text. */
function cuesOf(vtt: string) {
  expect(vtt.startsWith('WEBVTT\n')).toBe(true);
  const seconds = (s: string) => s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return vtt
    .split(/\n\n+/)
    .slice(1)
    .filter((block) => block.includes('-->'))
    .map((block) => {
      const lines = block.trim().split('\n');
      const at = lines.findIndex((l) => l.includes('-->'));
      const [start, end] = lines[at]!.split(' --> ').map(seconds);
      return { start: start!, end: end!, text: lines.slice(at + 1).join('\n') };
    });
}

/** ffmpeg processes this test process started (the app runs in it). */
const ourEncoders = () => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

async function follow(t: TestApp, token: string, taskId: string) {
  const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
  await sub.done;
  return sub.events;
}

async function checkFilm(t: TestApp, token: string, projectId: string, expected: { width: number; height: number }) {
  const { narration, film } = (await t.gql(OUTPUTS, { id: projectId }, token)).data.project;
  expect(film.status).toBe('COMPLETED');
  expect(film.latestTask).toMatchObject({ provider: 'ffmpeg', creditsCharged: 30 });
  const lines = narration.output.lines;
  const total = lines.reduce((sum: number, l: any) => sum + l.durationSeconds, 0);
  const out = film.output;
  expect([out.width, out.height]).toEqual([expected.width, expected.height]);
  expect(Math.abs(out.durationSeconds - total)).toBeLessThanOrEqual(0.5);

  const mp4 = await fetch(out.url);
  expect(mp4.headers.get('content-type')).toBe('video/mp4');
  const probed = await probe(Buffer.from(await mp4.arrayBuffer()));
  const videoStream = probed.streams.find((s) => s.codec_type === 'video')!;
  expect(videoStream).toMatchObject({ codec_name: 'h264', width: expected.width, height: expected.height });
  expect(probed.streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name)).toEqual(['aac']);
  expect(Math.abs(probed.durationSeconds - total)).toBeLessThanOrEqual(0.5);

  const vtt = await fetch(out.subtitlesUrl);
  expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
  const cues = cuesOf(await vtt.text());
  expect(cues.map((c) => c.text)).toEqual(lines.map((l: any) => l.text));
  cues.forEach((cue, i) => {
    expect(cue.start).toBeCloseTo(lines[i].startSeconds, 2);
    expect(cue.end).toBeCloseTo(lines[i].startSeconds + lines[i].durationSeconds, 2);
  });
  const poster = await bytesOf(out.posterUrl);
  expect([...poster.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  return { out, probed, lines };
}

// A whole pipeline takes about 20 s alone and several times that beside the rest of the suite
// on two cores: the pipelines have time limits of their own.
describe('FILM on the offline provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '1', OFFLINE_STEP_DELAY_MS: '20' } });
  });
  afterAll(() => t?.stop());

  it('a pipeline from a Chinese topic ends with one MP4 of the clips, the voice and soft subtitles, served with Range', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: '灯塔', originalTopic: '一位守灯塔的老人在暴风雨夜收到了一封迷路的信' } }, token);
    const projectId = p.data.createProject.id;
    const run = (await t.gql(RUN, { p: projectId }, token)).data.runPipeline;
    expect(run.map((x: any) => x.stage)).toEqual(['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);
    const events = await follow(t, token, run.at(-1).id);
    expect(events.at(-1).__typename).toBe('CompletedEvent');
    const progress = events.filter((e) => e.__typename === 'ProgressEvent');
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((e) => e.progress)).toEqual([...progress.map((e) => e.progress)].sort((a, b) => a - b));
    expect(progress.some((e) => e.progress > 0 && e.progress < 100 && typeof e.etaSeconds === 'number')).toBe(true);
    expect(progress.at(-1).progress).toBe(100);

    // The default images are square: a square film (FILM_HEIGHT is 144 in tests).
    const { out, lines } = await checkFilm(t, token, projectId, { width: 144, height: 144 });
    expect(lines[0].text).toMatch(/[\u4e00-\u9fff]/);

    // A player seeks with Range.
    const part = await fetch(out.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toMatch(/^bytes 100-199\/\d+$/);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
  }, 240_000);

  it('a pipeline from an English text, then the film again in 9:16 with burned subtitles and music, and in 16:9', async () => {
    const { token } = await t.signUp();
    const text = 'The keeper lit the lamp every night. One night a letter arrived with no name on it. He read it by the light of the lamp. At dawn a ship came home.';
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Lamp', originalText: text } }, token);
    const projectId = p.data.createProject.id;
    const run = (await t.gql(RUN, { p: projectId }, token)).data.runPipeline;
    expect((await follow(t, token, run.at(-1).id)).at(-1).__typename).toBe('CompletedEvent');
    const first = await checkFilm(t, token, projectId, { width: 144, height: 144 });
    expect(first.lines[0].text).toMatch(/^[A-Za-z]/);

    const portrait = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'FILM', input: { aspect: '9:16', subtitles: 'burned', music: true } } }, token);
    expect((await follow(t, token, portrait.data.executeStage.id)).at(-1).__typename).toBe('CompletedEvent');
    const tall = await checkFilm(t, token, projectId, { width: 144, height: 256 });
    // Burned in: no text track in the file; soft: one.
    expect(tall.probed.streams.some((s) => s.codec_type === 'subtitle')).toBe(false);
    expect(first.probed.streams.some((s) => s.codec_type === 'subtitle')).toBe(true);

    const wide = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'FILM', input: { aspect: '16:9', subtitles: 'none' } } }, token);
    expect((await follow(t, token, wide.data.executeStage.id)).at(-1).__typename).toBe('CompletedEvent');
    await checkFilm(t, token, projectId, { width: 256, height: 144 });
  }, 240_000);

  it('refuses bad options naming the field, changing nothing', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Bad', originalTopic: 'x' } }, token);
    const projectId = p.data.createProject.id;
    for (const [input, field] of [[{ aspect: '4:3' }, 'input.aspect'], [{ subtitles: 'hard' }, 'input.subtitles'], [{ music: 'yes' }, 'input.music'], [{ fps: 30 }, 'input.fps']] as const) {
      const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'FILM', input } }, token);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'FILM' } }, token);
    expect(r.errors?.[0].extensions?.code).toBe('PRECONDITION_FAILED');
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000);
  });
});

describe('cancelling a FILM', () => {
  let t: TestApp;
  // A full-size film with burned subtitles and slow narration: the encoder is busy for a while.
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '1', OFFLINE_STEP_DELAY_MS: '5', FILM_HEIGHT: '720' } });
  });
  afterAll(() => t?.stop());

  it('kills the encoder within 2 seconds and refunds what was not made', async () => {
    const { token } = await t.signUp();
    const text = 'The keeper lit the lamp every night for forty years. One winter night a letter arrived with no name on it.';
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Stop', originalText: text } }, token);
    const projectId = p.data.createProject.id;
    const stages = [['STORYBOARD', { sceneCount: 2, text }], ['IMAGE_GENERATION', { size: '1536x1024' }], ['CAMERA_MOVEMENT', undefined], ['VIDEO_GENERATION', undefined], ['NARRATION', { speed: 0.5 }]] as const;
    for (const [stage, input] of stages) {
      const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input } }, token);
      expect((await follow(t, token, r.data.executeStage.id)).at(-1).__typename, stage).toBe('CompletedEvent');
    }
    const credits = (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits;
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'FILM', input: { subtitles: 'burned', music: true } } }, token);
    const taskId = r.data.executeStage.id;
    const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    // The encoder is at work: progress has moved and an ffmpeg child is running.
    await waitFor(async () => sub.events.some((e) => e.__typename === 'ProgressEvent' && e.progress > 0) && ourEncoders().length > 0, { what: 'the encoder to run', timeoutMs: 30_000 });
    const started = Date.now();
    await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id: taskId }, token);
    await waitFor(async () => ourEncoders().length === 0, { what: 'the encoder to be gone', timeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await sub.done;
    expect(sub.events.at(-1)).toMatchObject({ status: 'CANCELLED' });
    const task = (await t.gql(TASK, { id: taskId }, token)).data.task;
    expect(task.status).toBe('CANCELLED');
    expect(task.output).toBeNull();
    // Refunded for what it had not made: it was stopped part-way.
    const after = (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits;
    expect(after).toBeGreaterThan(credits - 30);
  }, 180_000);
});
