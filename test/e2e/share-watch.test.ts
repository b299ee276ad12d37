// Watching a run together: the owner runs the pipeline while a second, signed-out browser
// context opens the project's share link and watches the same run stream live, read-only;
// text stages show their speed and time left, the header the whole run's ETA. Revoking the
// link ends the watcher's view at once. Screenshots of both in test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { freePort } from '../helpers/free-port.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('a share link in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let viewerContext: BrowserContext;
  let owner: Page;
  let viewer: Page;
  let port: number;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    t = await startTestApp({ env: { PORT: String(port), CLIENT_BUILD: '1', OFFLINE_TOKEN_DELAY_MS: '40', OFFLINE_STEP_DELAY_MS: '150', OFFLINE_CLIP_WIDTH: '320', FILM_HEIGHT: '360' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    ownerContext = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
    // The watcher: another browser profile, never signed in, reading Chinese.
    viewerContext = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'zh-CN' });
    owner = await ownerContext.newPage();
    viewer = await viewerContext.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  const text = async (page: Page, testid: string) => (await page.getByTestId(testid).textContent({ timeout: 1000 }).catch(() => '')) ?? '';

  it('the watcher sees the owner\'s run live, read-only, with speed and ETAs; revoking ends it', async () => {
    await owner.goto(`http://localhost:${port}/`);
    await owner.getByTestId('auth-mode-signup').click();
    await owner.getByTestId('auth-email').fill('owner@example.com');
    await owner.getByTestId('auth-password').fill('a long enough password');
    await owner.getByTestId('auth-submit').click();

    // A project with neither a topic nor a text is refused by the form itself, in words.
    await owner.getByTestId('create-project-name').fill('The lighthouse keeper');
    await owner.getByTestId('create-project-submit').click();
    expect(await text(owner, 'create-project-error')).toBe('Write a topic or paste a text first.');
    expect(await owner.getByTestId('create-project-topic').getAttribute('aria-invalid')).toBe('true');
    await shot(owner, 'share-00-form-refuses-empty');
    await owner.getByTestId('create-project-topic').fill('a lighthouse keeper who befriends a whale');
    await owner.getByTestId('create-project-submit').click();
    await owner.getByTestId('run-pipeline').waitFor();

    // The owner makes a link; its url opens the client.
    await owner.getByTestId('share-link-create').click();
    const url = await waitFor(async () => owner.getByTestId('share-link-url').first().inputValue({ timeout: 1000 }));
    expect(url).toMatch(new RegExp(`^http://localhost:${port}/#/share/[A-Za-z0-9_-]{43}$`));

    // The watcher opens it signed out: the project, read-only (no run or cancel buttons).
    await viewer.goto(url);
    await viewer.getByTestId('shared-project').waitFor();
    await viewer.getByTestId('stage-REWRITE').waitFor();
    expect(await text(viewer, 'project-title')).toBe('The lighthouse keeper');
    expect(await viewer.getByTestId('stage-REWRITE-run').count()).toBe(0);
    expect(await viewer.evaluate(() => localStorage.getItem('story-pipeline.token'))).toBeNull();

    // Every status the watcher's stages show, as they change: the run must be seen live to its end.
    await viewer.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      const note = () => {
        for (const el of document.querySelectorAll('[data-testid$="-status"][data-status]')) {
          const stage = el.getAttribute('data-testid')!.replace(/^stage-|-status$/g, '');
          const status = el.getAttribute('data-status')!;
          if ((seen[stage] ??= []).at(-1) !== status) seen[stage].push(status);
        }
      };
      note();
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });

    // The owner runs the pipeline; the watcher's REWRITE text grows as the owner's does.
    await owner.getByTestId('run-pipeline').click();
    const lengths: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = lengths.at(-1) ?? 0;
      await waitFor(async () => (await text(viewer, 'stage-REWRITE-text')).length > before + 10, { what: "the watcher's REWRITE text to grow" });
      lengths.push((await text(viewer, 'stage-REWRITE-text')).length);
    }
    // Speed and time left on the running text stage, in each one's language; the whole run's ETA in the header.
    await waitFor(async () => /词元/.test(await text(viewer, 'stage-REWRITE-rate')), { what: "the watcher's tokens/s" });
    await waitFor(async () => /tokens\/s/.test(await text(owner, 'stage-REWRITE-rate')), { what: "the owner's tokens/s" });
    await waitFor(async () => /left/.test(await text(owner, 'stage-REWRITE-eta')), { what: "the owner's REWRITE ETA" });
    await waitFor(async () => /^Whole run: about .+ left$/.test(await text(owner, 'pipeline-eta')), { what: "the owner's pipeline ETA" });
    await waitFor(async () => /整个流程预计还需/.test(await text(viewer, 'pipeline-eta')), { what: "the watcher's pipeline ETA" });
    await shot(owner, 'share-01-owner-running');
    await shot(viewer, 'share-02-viewer-running');

    // Both see the run through to the end (the film is its last stage), and the same story.
    for (const page of [viewer, owner]) {
      await waitFor(async () => (await page.getByTestId('stage-FILM-status').getAttribute('data-status')) === 'COMPLETED', { timeoutMs: 240_000, what: 'the pipeline to finish' });
    }
    expect((await text(viewer, 'stage-REWRITE-output')).trim()).toBe((await text(owner, 'stage-REWRITE-output')).trim());
    // Images, clips (MP4 videos), the narration and the film load for the watcher too (plain GETs,
    // no token): scrolled into view, as a person would.
    for (const page of [viewer, owner]) {
      await page.getByTestId('stage-IMAGE_GENERATION').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="stage-IMAGE_GENERATION"] img')].filter((i) => (i as HTMLImageElement).naturalWidth > 0).length >= 5);
      await page.getByTestId('stage-VIDEO_GENERATION').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="stage-VIDEO_GENERATION"] video')].filter((v) => (v as HTMLVideoElement).videoWidth > 0).length >= 5);
      await page.getByTestId('narration').scrollIntoViewIfNeeded();
      expect(await page.getByTestId('narration-play').count()).toBe(5);
      await page.getByTestId('film-video').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => ((document.querySelector('[data-testid="film-video"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0);
    }
    expect(await viewer.getByTestId('film-video').getAttribute('src')).toBe(await owner.getByTestId('film-video').getAttribute('src'));
    expect(await viewer.getByTestId('stage-FILM-run').count()).toBe(0);
    const seen = await viewer.evaluate(() => (window as unknown as { seen: Record<string, string[]> }).seen);
    for (const stage of ['REWRITE', 'STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM']) {
      expect(seen[stage], `${stage}: ${JSON.stringify(seen)}`).toContain('RUNNING');
      expect(seen[stage]?.at(-1)).toBe('COMPLETED');
    }
    await viewer.getByTestId('stage-REWRITE-steplog').locator('summary').click();
    const log = await text(viewer, 'stage-REWRITE-steplog');
    expect(log).toMatch(/排队中[\s\S]*运行中[\s\S]*已完成/);
    await shot(owner, 'share-03-owner-completed');
    await shot(viewer, 'share-04-viewer-completed');

    // Revoking the link ends the watcher's view at once.
    await owner.getByTestId('share-link-revoke').first().click();
    await viewer.getByTestId('share-invalid').waitFor({ timeout: 15_000 });
    expect(await owner.getByTestId('share-link').count()).toBe(0);
    await shot(viewer, 'share-05-viewer-revoked');
  }, 420_000);
});
