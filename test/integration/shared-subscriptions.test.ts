// Subscribers asking for the same thing share one execution (server/api/shared-subscriptions.ts):
// what each of them receives must be exactly what a subscription of its own would have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGaplessWithOneFinal, taskLog } from '../helpers/invariants.ts';
import { CREATE_PROJECT, EXECUTE_STAGE, TASK_PROGRESS } from '../helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const STORY = 'A lighthouse keeper finds a letter in a bottle and answers it, every night, for a year.';

describe('subscribers of the same stream', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '15' } });
  });
  afterAll(() => t?.stop());

  const start = async (token: string) => {
    const p = await t.gql(CREATE_PROJECT, { i: { name: 'Shared', originalText: STORY } }, token);
    return (await t.gql(EXECUTE_STAGE, { i: { projectId: p.data.createProject.id, stage: 'REWRITE' } }, token)).data.executeStage.id as string;
  };

  it('each get the whole stream, whenever they join and whoever leaves first', async () => {
    const { token } = await t.signUp();
    const taskId = await start(token);
    const first = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => first.events.length >= 5, { what: 'the first subscriber to be under way' });
    // Same token, same document, same variables: these join the first one's stream.
    const second = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    const third = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => third.events.length > first.events.length - 1 && third.events.length >= 8, { what: 'the newcomers to catch up' });
    first.stop(); // the one that opened the stream leaves; the others go on
    await Promise.all([second.done, third.done]);

    const log = await taskLog(t, token, taskId);
    expectGaplessWithOneFinal(log);
    for (const sub of [second, third]) {
      expectGaplessWithOneFinal(sub.events);
      expect(sub.events).toEqual(log);
    }
  }, 60_000);

  it('share nothing across tokens: another user cannot join a stream it may not see', async () => {
    const owner = await t.signUp();
    const stranger = await t.signUp();
    const taskId = await start(owner.token);
    const mine = subscribe(t.ws(owner.token), TASK_PROGRESS, { taskId, after: 0 });
    await waitFor(() => mine.events.length >= 2, { what: 'the owner to be under way' });
    const theirs = subscribe(t.ws(stranger.token), TASK_PROGRESS, { taskId, after: 0 });
    const refused = await theirs.done.then(
      () => null,
      (err) => err,
    );
    expect(refused?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await mine.done;
  }, 60_000);

  it('each end when their session does', async () => {
    const { token } = await t.signUp();
    const taskId = await start(token);
    const subs = [0, 1, 2].map(() => subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 }));
    await waitFor(() => subs.every((s) => s.events.length >= 2), { what: 'every subscriber to be under way' });
    expect((await t.gql(`mutation { signOut }`, {}, token)).data.signOut).toBe(true);
    for (const s of subs) {
      const ended = await s.done.then(
        () => null,
        (err) => err,
      );
      expect(ended?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  }, 60_000);
});
