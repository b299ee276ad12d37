// One user's many tasks do not keep another user waiting behind all of them: a user's nth
// active task is queued at priority n, so a newcomer's first task runs at the next free slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT, EXECUTE_STAGE } from '../helpers/queries.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('fair share between users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WORKER_CONCURRENCY: '2', OFFLINE_TOKEN_DELAY_MS: '15' } });
  });
  afterAll(() => t?.stop());

  const start = async (token: string, name: string) => {
    const p = await t.gql(CREATE_PROJECT, { i: { name, originalText: `${name}: a short story about a lighthouse and a letter.` } }, token);
    return (await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token)).data.executeStage.id as string;
  };
  const startedAt = async (token: string, id: string) => {
    const r = await t.gql(`query($id: ID!) { task(id: $id) { status startedAt } }`, { id }, token);
    return r.data.task.status === 'COMPLETED' ? Date.parse(r.data.task.startedAt) : null;
  };

  it("a second user's task starts before the first user's backlog", async () => {
    const busy = await t.signUp();
    const newcomer = await t.signUp();
    const backlog: string[] = [];
    for (let i = 0; i < 8; i++) backlog.push(await start(busy.token, `Busy ${i}`));
    const theirs = await start(newcomer.token, 'Newcomer');

    const mine = await waitFor(async () => {
      const all = await Promise.all(backlog.map((id) => startedAt(busy.token, id)));
      return all.every((x) => x !== null) ? (all as number[]) : null;
    }, { timeoutMs: 90_000, what: 'the backlog to finish' });
    const newcomerStart = await waitFor(() => startedAt(newcomer.token, theirs), { timeoutMs: 30_000, what: "the newcomer's task to finish" });
    // Two slots: the first two of the backlog were running; the newcomer's runs at the next free slot.
    const startedBefore = mine.filter((at) => at < newcomerStart).length;
    expect(startedBefore, `backlog starts ${mine.map((x) => x - newcomerStart).join(', ')} ms from the newcomer's`).toBeLessThanOrEqual(3);
  }, 120_000);
});
