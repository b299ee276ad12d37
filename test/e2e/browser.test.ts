// The product as a user meets it: Debian's Chromium driving the built Svelte client against
// a real server. Sign up, create a project, run the pipeline, watch REWRITE's text grow,
// restart the API mid-stream and see the text resume without duplication, see images and
// clips appear, hear the narration and watch the film play with its subtitles (in Chinese and
// in English). Screenshots are saved in test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { freePort } from '../helpers/free-port.ts';
import { codeOf } from '../helpers/operations.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('the web client in Chromium', () => {
  let worker: TestApp;
  let api: TestApp;
  let browser: Browser;
  let page: Page;
  let port: number;
  const apiEnv = () => ({ PORT: String(port), CLIENT_BUILD: '1' });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    // Worker and API run apart, so the API can be restarted while the worker streams on.
    worker = await startTestApp({ role: 'worker', env: { OFFLINE_TOKEN_DELAY_MS: '40', OFFLINE_STEP_DELAY_MS: '150', OFFLINE_CLIP_WIDTH: '320', FILM_HEIGHT: '360' } });
    api = await startTestApp({ role: 'api', joinPrefix: worker.prefix, joinDatabaseUrl: worker.databaseUrl, env: apiEnv() });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await worker?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  /** Plays the film card's video until it has advanced and shows a subtitle cue; returns that cue's text. */
  async function watchFilm(p: Page, name: string): Promise<string> {
    await waitFor(async () => (await p.getByTestId('stage-FILM-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 180_000, what: 'the film' });
    const video = p.getByTestId('film-video');
    await video.scrollIntoViewIfNeeded();
    await p.waitForFunction(() => ((document.querySelector('[data-testid="film-video"]') as HTMLVideoElement | null)?.readyState ?? 0) >= 1);
    const startedAt = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await video.evaluate((v: HTMLVideoElement) => v.play());
    await p.waitForFunction(
      (from) => {
        const v = document.querySelector('[data-testid="film-video"]') as HTMLVideoElement;
        const track = v.textTracks[0];
        return v.currentTime > from + 1 && track?.mode === 'showing' && (track.activeCues?.length ?? 0) > 0;
      },
      startedAt,
      { timeout: 20_000 },
    );
    const cue = await video.evaluate((v: HTMLVideoElement) => (v.textTracks[0]!.activeCues![0] as VTTCue).text);
    await p.screenshot({ path: `${ARTIFACTS}/${name}.png` });
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    return cue;
  }
  const rewriteText = async () => (await page.getByTestId('stage-REWRITE-text').textContent({ timeout: 1000 }).catch(() => '')) ?? '';

  it('runs a whole pipeline live and survives an API restart mid-stream', async () => {
    await page.goto(`http://localhost:${port}/`);
    await page.getByTestId('auth-mode-signup').click();
    await page.getByTestId('auth-email').fill('browser@example.com');
    await page.getByTestId('auth-password').fill('a long enough password');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('create-project-name').fill('会说话的猫');
    await page.getByTestId('create-project-topic').fill('一只会说话的猫在雪夜里寻找回家的路');
    await page.getByTestId('create-project-submit').click();
    await page.getByTestId('run-pipeline').click();
    await shot('01-pipeline-started');

    // REWRITE's text grows on screen.
    const lengths: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = lengths.at(-1) ?? 0;
      await waitFor(async () => (await rewriteText()).length > before + 10, { what: 'REWRITE text to grow' });
      lengths.push((await rewriteText()).length);
      await shot(`02-rewrite-streaming-${i + 1}`);
    }
    expect(lengths[2]).toBeGreaterThan(lengths[0]);

    // Restart the API mid-stream: the page notices, reconnects and resumes from its cursor.
    await api.stop();
    await waitFor(async () => (await page.getByTestId('connection-status').getAttribute('data-state')) !== 'online', { what: 'the page to notice' });
    await shot('03-api-down');
    const textWhileDown = await rewriteText();
    api = await startTestApp({ role: 'api', joinPrefix: worker.prefix, joinDatabaseUrl: worker.databaseUrl, env: apiEnv() });
    await waitFor(async () => (await page.getByTestId('connection-status').getAttribute('data-state')) === 'online', { what: 'the page to reconnect' });
    await waitFor(async () => (await page.getByTestId('stage-REWRITE-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 60_000, what: 'REWRITE to complete' });
    await shot('04-rewrite-completed');

    // What the page assembled from deltas equals the stored output: nothing lost, nothing doubled.
    const token = (await page.evaluate(() => localStorage.getItem('story-pipeline.token'))) ?? '';
    const projectId = await page.evaluate(() => decodeURIComponent(location.hash.split('/').pop() ?? ''));
    const r = await api.gql(`query($id: ID!) { project(id: $id) { stage(name: REWRITE) { output { ... on RewriteOutput { text } } } } }`, { id: projectId }, token);
    const stored = r.data?.project?.stage.output.text;
    expect(stored, JSON.stringify(r.errors)).toBeTruthy();
    expect((await rewriteText()).trim()).toBe(stored);
    expect(textWhileDown.trim().length).toBeLessThan(stored.length); // the restart really was mid-stream
    expect(stored.startsWith(textWhileDown.trim())).toBe(true); // and it resumed where it was cut

    // Images and clips appear.
    await waitFor(async () => (await page.getByTestId('stage-VIDEO_GENERATION-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 120_000, what: 'the pipeline to finish' });
    // The galleries load lazily: bring them into view, as a user scrolling down would.
    await page.getByTestId('stage-VIDEO_GENERATION').scrollIntoViewIfNeeded();
    await page.getByTestId('stage-IMAGE_GENERATION').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="stage-IMAGE_GENERATION"] img')].filter((i) => (i as HTMLImageElement).naturalWidth > 0).length >= 5);
    await page.getByTestId('stage-VIDEO_GENERATION').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="stage-VIDEO_GENERATION"] video')].filter((v) => (v as HTMLVideoElement).videoWidth > 0).length >= 5);
    await shot('06-pipeline-completed');

    // The narration's lines, with play buttons; the film plays with a subtitle cue on screen.
    await page.getByTestId('narration').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('narration-play').count()).toBe(5);
    const cue = await watchFilm(page, '11-film-playing-zh');
    expect(cue).toMatch(/[\u4e00-\u9fff]/);
    await page.getByTestId('narration').screenshot({ path: `${ARTIFACTS}/12-narration-zh.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('07-phone');

    // The session survives a reload; signing out ends it; signing in brings the projects back.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    await page.getByTestId('stage-VIDEO_GENERATION-status').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('auth-email').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('story-pipeline.token'))).toBeNull();
    expect(codeOf(await api.gql('{ me { id } }', {}, token))).toBe('UNAUTHENTICATED'); // ended on the server too
    await page.getByTestId('auth-email').fill('browser@example.com');
    await page.getByTestId('auth-password').fill('a long enough password');
    await page.getByTestId('auth-submit').click();
    await page.goto(`http://localhost:${port}/#/`);
    await page.getByTestId('project-item').first().waitFor();
    await shot('08-projects-after-sign-in');
  }, 240_000);

  it('falls back to SSE when WebSockets are blocked, and to polling when SSE is blocked too', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const p2 = await context.newPage();
    // A network that refuses WebSockets.
    await p2.routeWebSocket(/\/graphql/, (ws) => ws.close());
    await p2.goto(`http://localhost:${port}/`);
    await p2.getByTestId('auth-mode-signup').click();
    await p2.getByTestId('auth-email').fill('fallback@example.com');
    await p2.getByTestId('auth-password').fill('a long enough password');
    await p2.getByTestId('auth-submit').click();
    await p2.getByTestId('create-project-name').fill('Fallbacks');
    await p2.getByTestId('create-project-topic').fill('a lighthouse keeper who collects lost letters');
    await p2.getByTestId('create-project-submit').click();
    const status = p2.getByTestId('connection-status');
    await waitFor(async () => (await status.getAttribute('data-mode')) === 'sse', { what: 'the SSE fallback' });
    await p2.getByTestId('stage-REWRITE-run').click();
    await waitFor(async () => (await p2.getByTestId('stage-REWRITE-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 60_000 });
    const sseText = await p2.getByTestId('stage-REWRITE-text').textContent();
    expect(sseText!.length).toBeGreaterThan(100);
    await p2.screenshot({ path: `${ARTIFACTS}/09-sse-fallback.png`, fullPage: true });

    // SSE blocked as well: the client polls Task.events.
    // (urql's own queries also accept text/event-stream: block only the subscriptions.)
    await p2.route('**/graphql', (route) => (/^\s*subscription\b/.test(JSON.parse(route.request().postData() ?? '{}').query ?? '') ? route.abort() : route.continue()));
    await p2.reload();
    await waitFor(async () => (await status.getAttribute('data-mode')) === 'polling', { what: 'the polling fallback', timeoutMs: 30_000 });
    await p2.getByTestId('stage-STORYBOARD-run').click();
    await waitFor(async () => (await p2.getByTestId('stage-STORYBOARD-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 60_000, what: 'STORYBOARD over polling' });
    await p2.screenshot({ path: `${ARTIFACTS}/10-polling-fallback.png`, fullPage: true });
    await context.close();
  }, 180_000);

  it('an English text becomes a film that plays with its subtitles', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const p3 = await context.newPage();
    await p3.goto(`http://localhost:${port}/`);
    await p3.getByTestId('auth-mode-signup').click();
    await p3.getByTestId('auth-email').fill('film@example.com');
    await p3.getByTestId('auth-password').fill('a long enough password');
    await p3.getByTestId('auth-submit').click();
    await p3.getByTestId('create-project-name').fill('The lamp');
    await p3.getByTestId('create-project-topic').fill('a lighthouse keeper who reads a letter from the sea');
    await p3.getByTestId('create-project-submit').click();
    await p3.getByTestId('run-pipeline').click();
    const cue = await watchFilm(p3, '13-film-playing-en');
    expect(cue).toMatch(/[A-Za-z]/);
    await p3.screenshot({ path: `${ARTIFACTS}/14-film-project-en.png`, fullPage: true });
    await context.close();
  }, 240_000);
});
