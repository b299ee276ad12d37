// Steering outputs in Chromium: a refine streams into the stage and becomes its current
// version; the version list compares and switches versions; stale badges appear after a
// change upstream and clear when the stage is made from the current versions again; an
// edit of one scene followed by "run the stale stages" remakes that scene alone. Prints the
// credits each step charged; screenshots in test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const LATER = ['STORYBOARD', 'IMAGE_GENERATION', 'CAMERA_MOVEMENT', 'VIDEO_GENERATION', 'NARRATION', 'FILM'];

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('versions, refine and edit in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    port = await freePort();
    t = await startTestApp({ env: { PORT: String(port), CLIENT_BUILD: '1', OFFLINE_TOKEN_DELAY_MS: '25', OFFLINE_STEP_DELAY_MS: '40' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signUpAndCreate(page: Page, email: string, name: string, topic: string): Promise<{ token: string; projectId: string }> {
    await page.goto(`http://localhost:${port}/`);
    await page.getByTestId('auth-mode-signup').click();
    await page.getByTestId('auth-email').fill(email);
    await page.getByTestId('auth-password').fill('a long enough password');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('create-project-name').fill(name);
    await page.getByTestId('create-project-topic').fill(topic);
    await page.getByTestId('create-project-submit').click();
    await page.getByTestId('run-pipeline').waitFor();
    const token = (await page.evaluate(() => localStorage.getItem('story-pipeline.token'))) ?? '';
    const projectId = await page.evaluate(() => decodeURIComponent(location.hash.split('/').pop() ?? ''));
    return { token, projectId };
  }

  const statusOf = (page: Page, stage: string) => page.getByTestId(`stage-${stage}-status`).getAttribute('data-status');
  const completed = (page: Page, stage: string, timeoutMs = 90_000) =>
    waitFor(async () => (await statusOf(page, stage)) === 'COMPLETED', { timeoutMs, what: `${stage} to complete` });
  const staleOnScreen = async (page: Page) => {
    const out: string[] = [];
    for (const stage of ['REWRITE', ...LATER]) if (await page.getByTestId(`stage-${stage}-stale`).isVisible()) out.push(stage);
    return out;
  };
  const text = async (page: Page, stage: string) => (await page.getByTestId(`stage-${stage}-text`).textContent({ timeout: 500 }).catch(() => '')) ?? '';
  const open = (page: Page, testid: string) => page.getByTestId(testid).locator('summary').click();

  it('refines in Chinese, switches versions, edits one scene and remakes only it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
    const { token, projectId } = await signUpAndCreate(page, 'steer-zh@example.com', '灯塔', '一位守灯塔的老人在暴风雨夜收到了一封迷路的信');
    const credits = async () => (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits as number;
    const figures: string[] = [];
    let balance = await credits();

    await page.getByTestId('run-pipeline').click();
    await completed(page, 'FILM', 180_000);
    figures.push(`first pipeline run: ${balance - (await credits())} credits`);
    balance = await credits();
    await shot('v01-pipeline-done');

    // A refine in Chinese streams into REWRITE and becomes its current version.
    const before = await page.getByTestId('stage-REWRITE-output').textContent();
    await open(page, 'steer-REWRITE-refine');
    await page.getByTestId('refine-REWRITE-input').fill('结尾更圆满一些');
    await page.getByTestId('refine-REWRITE-send').click();
    const lengths: number[] = [];
    for (let i = 0; i < 2; i++) {
      const last = lengths.at(-1) ?? 0;
      await waitFor(async () => (await text(page, 'REWRITE')).length > last + 10, { what: 'the refine to stream' });
      lengths.push((await text(page, 'REWRITE')).length);
    }
    await shot('v02-refine-zh-streaming');
    await completed(page, 'REWRITE');
    await waitFor(async () => (await page.getByTestId('stage-REWRITE-output').textContent())?.includes('圆满的结局'), { what: 'the refined story' });
    expect(await page.getByTestId('stage-REWRITE-output').textContent()).not.toBe(before);
    figures.push(`refine in Chinese: ${balance - (await credits())} credits`);
    balance = await credits();
    // Every later stage was made from the earlier story: all stale.
    await waitFor(async () => (await staleOnScreen(page)).length === LATER.length, { what: 'stale badges' });
    expect(await staleOnScreen(page)).toEqual(LATER);
    await shot('v03-refine-zh-done-stale');

    // The version list: compare the first run with the refine, then go back to it.
    await open(page, 'steer-REWRITE-versions');
    const items = page.getByTestId('versions-REWRITE-item');
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).getAttribute('data-source')).toBe('REFINE');
    await page.getByTestId('versions-REWRITE-compare').click();
    await page.getByTestId('versions-REWRITE-diff').locator('ins, del').first().waitFor();
    await shot('v04-versions-diff');
    await page.getByTestId('steer-REWRITE-versions').screenshot({ path: `${ARTIFACTS}/v04b-versions-diff-closeup.png` });
    await page.getByTestId('versions-REWRITE-use').click();
    await waitFor(async () => (await staleOnScreen(page)).length === 0, { what: 'stale badges to clear' });
    await waitFor(async () => (await page.getByTestId('stage-REWRITE-output').textContent()) === before, { what: 'the first version back' });
    expect(await items.nth(1).getAttribute('data-current')).toBe('true');
    await shot('v05-version-switched');

    // Edit one scene: a bad duration is refused with a sentence naming the scene, the field and the rule; then a changed picture is saved.
    await open(page, 'steer-STORYBOARD-edit');
    await page.getByTestId('edit-STORYBOARD-duration-0').fill('0');
    await page.getByTestId('edit-STORYBOARD-save').click();
    await page.getByTestId('edit-STORYBOARD-error').waitFor();
    expect(await page.getByTestId('edit-STORYBOARD-error').textContent()).toBe('第 1 幕 — 秒数：须为秒数，大于 0，最多 60。');
    await page.getByTestId('edit-STORYBOARD-error').scrollIntoViewIfNeeded();
    await shot('v06-edit-refused');
    await page.getByTestId('edit-STORYBOARD').screenshot({ path: `${ARTIFACTS}/v06b-edit-refused-closeup.png` });
    await page.getByTestId('edit-STORYBOARD-duration-0').fill('4');
    const prompt = page.getByTestId('edit-STORYBOARD-prompt-2');
    await prompt.fill(`${await prompt.inputValue()}，满月下的夜晚`);
    await page.getByTestId('edit-STORYBOARD-save').click();
    await waitFor(async () => (await staleOnScreen(page)).join() === 'IMAGE_GENERATION,CAMERA_MOVEMENT,VIDEO_GENERATION,NARRATION,FILM', { what: 'stale after the edit' });
    figures.push(`edit of scene 3: ${balance - (await credits())} credits`);
    await shot('v07-edit-saved-stale');

    // Run the stale stages: only scene 3 gets a new image and clip.
    const stagesQuery = `query($id: ID!) { project(id: $id) { stages { name latestTask { id status creditsCharged cached }
      output { ... on ImagesOutput { images { url } } ... on VideoOutput { clips { url } } } } } }`;
    const media = async () => {
      const stages = (await t.gql(stagesQuery, { id: projectId }, token)).data.project.stages as any[];
      return Object.fromEntries(stages.map((s) => [s.name, s]));
    };
    const old = await media();
    await page.getByTestId('run-stale').click();
    await waitFor(
      async () => {
        const film = (await media()).FILM.latestTask;
        return film.id !== old.FILM.latestTask.id && film.status === 'COMPLETED';
      },
      { timeoutMs: 120_000, what: 'the stale run to finish' },
    );
    await completed(page, 'FILM', 120_000);
    const now = await media();
    const changed = (stage: string, key: string) => now[stage].output[key].map((x: any, i: number) => (x.url !== old[stage].output[key][i].url ? i : -1)).filter((i: number) => i >= 0);
    expect(changed('IMAGE_GENERATION', 'images')).toEqual([2]);
    expect(changed('VIDEO_GENERATION', 'clips')).toEqual([2]);
    const charged = (stage: string) => now[stage].latestTask.creditsCharged;
    // Only the picture changed: every narration line is kept, and nothing is charged for them.
    expect(charged('NARRATION')).toBe(0);
    // The film encodes scene 3's segment alone (the timing is unchanged) and joins the rest.
    expect(charged('FILM')).toBe(Math.ceil(30 / 5));
    figures.push(
      `run the stale stages: IMAGE_GENERATION ${charged('IMAGE_GENERATION')}, CAMERA_MOVEMENT ${charged('CAMERA_MOVEMENT')}, VIDEO_GENERATION ${charged('VIDEO_GENERATION')}, NARRATION ${charged('NARRATION')}, FILM ${charged('FILM')} = ${balance - (await credits())} credits`,
    );
    balance = await credits();
    await waitFor(async () => (await staleOnScreen(page)).length === 0, { what: 'no stale stage left' });
    await page.getByTestId('stage-IMAGE_GENERATION').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="stage-IMAGE_GENERATION"] img')].filter((i) => (i as HTMLImageElement).naturalWidth > 0).length >= 5);
    await shot('v08-stale-run-one-scene');
    await page.getByTestId('stage-IMAGE_GENERATION').screenshot({ path: `${ARTIFACTS}/v08b-images-after-edit.png` });

    // The same pipeline again: every stage reused, nothing charged, and the cards say so.
    await page.getByTestId('run-pipeline').click();
    await waitFor(async () => (await page.getByTestId('stage-FILM-charge').getAttribute('data-cached').catch(() => null)) === 'true', { timeoutMs: 60_000, what: 'cached completions' });
    figures.push(`the same pipeline again (all cached): ${balance - (await credits())} credits`);
    await shot('v09-all-cached');
    await page.getByTestId('stage-CAMERA_MOVEMENT').screenshot({ path: `${ARTIFACTS}/v09b-camera-cached-closeup.png` });
    console.log(`[credits] ${figures.join('; ')}`);
    await page.close();
  }, 300_000);

  it('refines in English and regenerates fresh', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const { token } = await signUpAndCreate(page, 'steer-en@example.com', 'Lighthouse', 'a lighthouse keeper who receives a lost letter');
    const credits = async () => (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits as number;
    await page.getByTestId('stage-REWRITE-run').click();
    await completed(page, 'REWRITE');
    const start = await credits();
    expect(await page.getByTestId('stage-REWRITE-run').textContent()).toMatch(/Regenerate/);
    await open(page, 'steer-REWRITE-refine');
    await page.getByTestId('refine-REWRITE-input').fill('Make the ending happier, and a bit longer.');
    await page.getByTestId('refine-REWRITE-send').click();
    await waitFor(async () => (await text(page, 'REWRITE')).length > 40, { what: 'the English refine to stream' });
    await page.screenshot({ path: `${ARTIFACTS}/v10-refine-en-streaming.png`, fullPage: true });
    await completed(page, 'REWRITE');
    await waitFor(async () => (await page.getByTestId('stage-REWRITE-output').textContent())?.includes('everything turned out well'), { what: 'the refined story' });
    await open(page, 'steer-REWRITE-versions');
    await page.getByTestId('versions-REWRITE-compare').click();
    await page.getByTestId('versions-REWRITE-diff').locator('ins, del').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/v11-refine-en-diff.png`, fullPage: true });
    console.log(`[credits] refine in English: ${start - (await credits())} credits`);
    await page.close();
  }, 120_000);
});
