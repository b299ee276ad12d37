// A whole pipeline on the offline provider: seven tasks at once, each stage starting as soon
// as its dependencies complete (the image branch, the camera and the narration in parallel),
// real media at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Task } from '../../server/db/entities.ts';
import { probe } from '../helpers/ffprobe.ts';
import { CREATE_PROJECT, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RUN = `mutation($p: ID!, $from: StageName) { runPipeline(projectId: $p, from: $from) { id stage status creditsCharged } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { stages { name status latestTask { id status startedAt finishedAt provider model }
  output { __typename
    ... on RewriteOutput { text }
    ... on StoryboardOutput { scenes { index narration visualPrompt durationSeconds } }
    ... on ImagesOutput { images { sceneIndex url prompt } }
    ... on CameraOutput { shots { sceneIndex movement description } }
    ... on VideoOutput { clips { sceneIndex url durationSeconds } }
    ... on NarrationOutput { lines { sceneIndex durationSeconds audioUrl } }
    ... on FilmOutput { url } } } } }`;

describe('runPipeline on the offline provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '1', OFFLINE_STEP_DELAY_MS: '60' } });
  });
  afterAll(() => t?.stop());

  it('runs all the stages as a graph and produces fetchable images, clips, voice and the film', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: '灯塔', originalTopic: '一位守灯塔的老人在暴风雨夜收到了一封迷路的信' } }, token);
    const projectId = p.data.createProject.id;
    const run = await t.gql(RUN, { p: projectId }, token);
    expect(run.errors).toBeUndefined();
    const tasks = run.data.runPipeline;
    expect(tasks.map((x: any) => x.stage)).toEqual(['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']);
    // The first may already have been picked up by the time the answer is written.
    expect(tasks.slice(1).every((x: any) => x.status === 'QUEUED')).toBe(true);
    const charged = tasks.reduce((sum: number, x: any) => sum + x.creditsCharged, 0);
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000 - charged);

    // Every task has its own log from the start; follow the last one to its end.
    const video = subscribe(t.ws(token), TASK_PROGRESS, { taskId: tasks[4].id, after: 0 });
    const film = subscribe(t.ws(token), TASK_PROGRESS, { taskId: tasks[6].id, after: 0 });
    await video.done;
    await film.done;
    expect(film.events.at(-1).__typename).toBe('CompletedEvent');
    expect(video.events.at(-1).__typename).toBe('CompletedEvent');
    const progress = video.events.filter((e) => e.__typename === 'ProgressEvent');
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toMatchObject({ progress: 100, step: 5, totalSteps: 5 });

    const stages = (await t.gql(PROJECT, { id: projectId }, token)).data.project.stages;
    const by = Object.fromEntries(stages.map((s: any) => [s.name, s]));
    for (const s of stages) expect(s.status).toBe('COMPLETED');
    const image = by.IMAGE_GENERATION.latestTask;
    const camera = by.CAMERA_MOVEMENT.latestTask;
    // The parallel branches overlap in time.
    expect(Date.parse(image.startedAt)).toBeLessThan(Date.parse(camera.finishedAt));
    expect(Date.parse(camera.startedAt)).toBeLessThan(Date.parse(image.finishedAt));
    // The narration runs beside the image branch, not after it.
    expect(Date.parse(by.NARRATION.latestTask.startedAt)).toBeLessThan(Date.parse(by.VIDEO_GENERATION.latestTask.finishedAt));
    expect(by.NARRATION.output.lines).toHaveLength(5);
    expect(by.REWRITE.latestTask.provider).toBe('offline');

    expect(by.STORYBOARD.output.scenes).toHaveLength(5);
    expect(by.STORYBOARD.output.scenes[0].narration).toMatch(/[\u4e00-\u9fff]/);
    expect(by.CAMERA_MOVEMENT.output.shots.map((s: any) => s.sceneIndex)).toEqual([0, 1, 2, 3, 4]);
    const images = by.IMAGE_GENERATION.output.images;
    const clips = by.VIDEO_GENERATION.output.clips;
    expect(images).toHaveLength(5);
    expect(clips).toHaveLength(5);
    const png = await fetch(images[0].url);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    const mp4 = await fetch(clips[0].url);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const clip = await probe(Buffer.from(await mp4.arrayBuffer()));
    expect(clip.streams.map((s) => s.codec_name)).toEqual(['h264']);
    expect(clip.durationSeconds).toBeCloseTo(clips[0].durationSeconds, 1);
    expect((await fetch(images[0].url.replace(/\/media\/.*$/, `/media/${'A'.repeat(22)}.png`))).status).toBe(404);

    // Deleting the project deletes its media too.
    expect((await t.gql(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: projectId }, token)).data.deleteProject).toBe(true);
    expect((await fetch(images[0].url)).status).toBe(404);
    expect((await fetch(clips[4].url)).status).toBe(404);
    expect((await fetch(by.NARRATION.output.lines[0].audioUrl)).status).toBe(404);
    expect((await fetch(by.FILM.output.url)).status).toBe(404);
  }, 180_000);

  it('refuses a pipeline whose first stage has nothing to work from, changing nothing', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Empty' } }, token);
    const r = await t.gql(RUN, { p: p.data.createProject.id }, token);
    expect(r.errors?.[0].extensions?.code).toBe('PRECONDITION_FAILED');
    const late = await t.gql(RUN, { p: p.data.createProject.id, from: 'IMAGE_GENERATION' }, token);
    expect(late.errors?.[0].extensions?.code).toBe('PRECONDITION_FAILED');
    expect((await t.gql(`{ me { credits } }`, {}, token)).data.me.credits).toBe(1000);
  });

  it('cancelling a stage cancels everything downstream, naming it, with refunds', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Stop', originalTopic: 'a train that never arrives' } }, token);
    const tasks = (await t.gql(RUN, { p: p.data.createProject.id }, token)).data.runPipeline;
    await waitFor(async () => (await t.gql(`query($id: ID!) { task(id: $id) { status } }`, { id: tasks[0].id }, token)).data.task.status === 'COMPLETED');
    await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id: tasks[1].id }, token);
    // Every stage after it ends before the credits are read: the cascade reaches FILM last.
    const ends = await Promise.all(
      tasks.slice(2).map(async (task: { id: string }) => {
        const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: task.id, after: 0 });
        await sub.done;
        return sub.events.at(-1);
      }),
    );
    expect(ends[0]).toMatchObject({ status: 'CANCELLED', message: 'Cancelled because STORYBOARD was cancelled.' });
    for (const end of ends) expect(end).toMatchObject({ status: 'CANCELLED' });
    const credits = (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits;
    // Downstream tasks are refunded in full; STORYBOARD keeps half of its cost if it had
    // already streamed text when it was cancelled (the model billed it).
    const log = await t.gql(`query($id: ID!) { task(id: $id) { events(first: 1000) { __typename } } }`, { id: tasks[1].id }, token);
    const storyboard = log.data.task.events;
    const streamed = storyboard.some((e: { __typename: string }) => e.__typename === 'TokenEvent');
    expect(credits).toBe(1000 - tasks[0].creditsCharged - (streamed ? Math.floor(tasks[1].creditsCharged / 2) : 0));
  });

  it('the sweep ends what a cut-short cancel cascade left waiting (a process died mid-cascade)', async () => {
    const { token } = await t.signUp();
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Cut short', originalTopic: 'a bridge half built' } }, token);
    const tasks = (await t.gql(RUN, { p: p.data.createProject.id }, token)).data.runPipeline;
    // STORYBOARD ends CANCELLED in the database, and nothing downstream hears of it.
    const em = t.app.orm.em.fork();
    await em.nativeUpdate(Task, { id: tasks[1].id }, { status: 'CANCELLED', activeKey: null, finishedAt: new Date(), message: 'Cancelled by the user.' });
    await em.nativeUpdate(Task, { id: { $in: tasks.slice(2).map((x: { id: string }) => x.id) } }, { createdAt: new Date(Date.now() - 60_000) });
    await t.app.sweep();
    for (const task of tasks.slice(2)) {
      const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId: task.id, after: 0 });
      await sub.done;
      expect(sub.events.at(-1), task.stage).toMatchObject({ status: 'CANCELLED' });
      expect(sub.events.at(-1).message).toMatch(/^Cancelled because (STORYBOARD|IMAGE_GENERATION|CAMERA_MOVEMENT|VIDEO_GENERATION|NARRATION) was cancelled\.$/);
    }
    await waitFor(async () => (await t.gql(`query($id: ID!) { task(id: $id) { status } }`, { id: tasks[0].id }, token)).data.task.status === 'COMPLETED');
    // Everything downstream refunded in full; REWRITE ran; STORYBOARD's refund was the part skipped here.
    const credits = (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits;
    expect(credits).toBe(1000 - tasks[0].creditsCharged - tasks[1].creditsCharged);
  });
});
