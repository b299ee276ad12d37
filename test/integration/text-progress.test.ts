// Text stages report speed and an estimate while they stream: ProgressEvents about once a
// second with tokensPerSecond, a rising progress below 100 until the CompletedEvent and an
// ETA that converges; Task.tokensPerSecond and Task.etaSeconds give the same on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const TOKEN_DELAY_MS = 20;
const PACE = 1000 / TOKEN_DELAY_MS;

const FOLLOW = `subscription($taskId: ID!) { taskProgress(taskId: $taskId) {
  __typename seq at
  ... on ProgressEvent { progress etaSeconds tokensPerSecond }
  ... on TokenEvent { delta }
} }`;
const RATE = `query($id: ID!) { task(id: $id) { status tokensPerSecond etaSeconds tokensUsed } }`;

interface Ev {
  __typename: string;
  seq: number;
  at: string;
  progress?: number;
  etaSeconds?: number | null;
  tokensPerSecond?: number | null;
  delta?: string;
}

/** Each ProgressEvent's ETA error (s): its estimate against the time the task really took from then. */
function etaErrors(events: Ev[]): number[] {
  const end = Date.parse(events.find((e) => e.__typename === 'CompletedEvent')!.at);
  return events
    .filter((e) => e.__typename === 'ProgressEvent' && e.etaSeconds != null)
    .map((e) => Math.abs(e.etaSeconds! - (end - Date.parse(e.at)) / 1000));
}

describe('text stages report speed, progress and an ETA', () => {
  let t: TestApp;
  let token: string;
  let projectId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS) } });
    ({ token } = await t.signUp());
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Pace', originalTopic: 'a lighthouse keeper who befriends a whale' } }, token);
    projectId = p.data.createProject.id;
  });
  afterAll(() => t?.stop());

  async function run(stage: string, input?: unknown): Promise<{ id: string; events: Ev[] }> {
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage, input, cache: 'FRESH' } }, token);
    expect(r.errors).toBeUndefined();
    const id = r.data.executeStage.id as string;
    const sub = subscribe<Ev>(t.ws(token), FOLLOW, { taskId: id });
    // On demand, mid-stream: the same figures as the events.
    const during = await waitFor(async () => {
      const q = (await t.gql(RATE, { id }, token)).data.task;
      return q.status === 'RUNNING' && q.tokensPerSecond != null && q.etaSeconds != null ? q : null;
    }, { what: 'Task.tokensPerSecond and Task.etaSeconds while it streams' });
    expect(Math.abs(during.tokensPerSecond - PACE) / PACE).toBeLessThan(0.2);
    expect(during.etaSeconds).toBeGreaterThan(0);
    await sub.done;
    return { id, events: sub.events };
  }

  it('REWRITE: ProgressEvents with rising progress below 100 until the CompletedEvent, at the provider\'s pace', async () => {
    const { id, events } = await run('REWRITE');
    const completedAt = events.findIndex((e) => e.__typename === 'CompletedEvent');
    const progress = events.filter((e) => e.__typename === 'ProgressEvent');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const e of progress) expect(events.indexOf(e)).toBeLessThan(completedAt);
    const values = progress.map((e) => e.progress!);
    for (const v of values) expect(v).toBeLessThan(100);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBeGreaterThan(values[0]!);
    // Model tokens, not events: the batcher may merge tokens, the speed still counts each.
    const speeds = progress.map((e) => e.tokensPerSecond!).filter((s) => s != null);
    expect(speeds.length).toBeGreaterThan(0);
    for (const s of speeds) expect(Math.abs(s - PACE) / PACE, `speed ${s} vs pace ${PACE}`).toBeLessThan(0.2);
    const after = (await t.gql(RATE, { id }, token)).data.task;
    expect(after.status).toBe('COMPLETED');
    expect(after.etaSeconds).toBeNull();
    expect(Math.abs(after.tokensPerSecond - PACE) / PACE).toBeLessThan(0.2);
  });

  it('STORYBOARD: the ETA\'s error falls as the text grows', async () => {
    const { events } = await run('STORYBOARD', { sceneCount: 6 });
    const errors = etaErrors(events);
    expect(errors.length, 'enough estimates to compare').toBeGreaterThanOrEqual(4);
    const third = Math.floor(errors.length / 3);
    const early = Math.max(...errors.slice(0, third));
    const late = Math.max(...errors.slice(-third));
    expect(late, `errors ${errors.map((e) => e.toFixed(2)).join(', ')}`).toBeLessThan(early);
    expect(late).toBeLessThan(1);
  });

  it('REWRITE again: the estimate learned from the first run is close from the start', async () => {
    const { events } = await run('REWRITE');
    const errors = etaErrors(events);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) expect(e, `errors ${errors.map((x) => x.toFixed(2)).join(', ')}`).toBeLessThan(1.5);
  });

  it('the estimate is no bill: a text stage cancelled past 50% is refunded half, as any that streamed', async () => {
    const credits = async () => (await t.gql(`{ me { credits } }`, {}, token)).data.me.credits as number;
    const before = await credits();
    const r = await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', input: { style: 'slow and calm' } } }, token);
    const id = r.data.executeStage.id as string;
    const sub = subscribe<Ev>(t.ws(token), FOLLOW, { taskId: id });
    await waitFor(() => sub.events.some((e) => e.__typename === 'ProgressEvent' && e.progress! >= 50), { what: 'an estimate past 50%' });
    expect((await t.gql(`mutation($id: ID!) { cancelTask(id: $id) { status } }`, { id }, token)).data.cancelTask.status).toBe('CANCELLED');
    await sub.done;
    expect(await credits()).toBe(before - 5);
  });
});
