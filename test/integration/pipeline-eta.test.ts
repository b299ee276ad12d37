// Project.etaSeconds: while a runPipeline call runs, the critical path through the stages
// left, from each stage's recent runs; null before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PROJECT } from '../helpers/queries.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const ETA = `query($id: ID!) { project(id: $id) { etaSeconds stages { name status } } }`;
const RUN = `mutation($id: ID!) { runPipeline(projectId: $id, cache: FRESH) { id } }`;

interface Sample {
  at: number;
  eta: number | null;
}

describe('the pipeline ETA', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { OFFLINE_TOKEN_DELAY_MS: '8', OFFLINE_STEP_DELAY_MS: '60' } });
    ({ token } = await t.signUp());
  });
  afterAll(() => t?.stop());

  /** Runs the whole pipeline, sampling Project.etaSeconds until every stage has ended. */
  async function run(topic: string): Promise<{ samples: Sample[]; end: number; before: number | null; after: number | null }> {
    const id = (await t.gql(CREATE_PROJECT, { i: { name: topic, originalTopic: topic } }, token)).data.createProject.id;
    const before = (await t.gql(ETA, { id }, token)).data.project.etaSeconds;
    expect((await t.gql(RUN, { id }, token)).errors).toBeUndefined();
    const samples: Sample[] = [];
    for (;;) {
      const at = Date.now();
      const project = (await t.gql(ETA, { id }, token)).data.project;
      if (project.stages.every((s: { status: string }) => s.status === 'COMPLETED')) {
        return { samples, end: at, before, after: project.etaSeconds };
      }
      expect(project.stages.some((s: { status: string }) => s.status === 'FAILED' || s.status === 'CANCELLED')).toBe(false);
      samples.push({ at, eta: project.etaSeconds });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('is null with no run, a number while the run goes on, null once it has ended', async () => {
    const { samples, before, after } = await run('a lighthouse keeper who befriends a whale');
    expect(before).toBeNull();
    expect(after).toBeNull();
    expect(samples.length).toBeGreaterThan(5);
    for (const s of samples) expect(s.eta).toBeGreaterThanOrEqual(0);
  });

  it('from the stages\' history, it is close to the time the run really takes', async () => {
    const { samples, end } = await run('a kite that wanted to see the sea');
    const total = (end - samples[0]!.at) / 1000;
    const errors = samples.map((s) => Math.abs(s.eta! - (end - s.at) / 1000));
    const worst = Math.max(...errors.slice(Math.floor(errors.length / 4)));
    // Within a third of the run's length from its first quarter on (the first run, without history, is not).
    expect(worst, `run of ${total.toFixed(1)} s, errors ${errors.map((e) => e.toFixed(1)).join(' ')}`).toBeLessThan(total / 3);
  });
});
