// Measures the ETA error (not part of `npm test`): `npx tsx scripts/eta/measure.ts`.
// One in-process app on the real Redis and a temporary SQLite database, the offline provider
// at its default pace (OFFLINE_TOKEN_DELAY_MS 15, OFFLINE_STEP_DELAY_MS 400; override with the
// same variables). For a REWRITE (followed over graphql-ws: every ProgressEvent's etaSeconds)
// and for a whole runPipeline (Project.etaSeconds polled every 250 ms), prints the estimate's
// error against the time really left at 25, 50 and 75 % of the run's duration. Each is run
// twice: first with no history of the stages (cold), then with the first run's (warm).
import { CREATE_PROJECT, EXECUTE_STAGE } from '../../test/helpers/queries.ts';
import { startTestApp, subscribe, type TestApp } from '../../test/helpers/test-app.ts';

const env = {
  OFFLINE_TOKEN_DELAY_MS: process.env.OFFLINE_TOKEN_DELAY_MS ?? '15',
  OFFLINE_STEP_DELAY_MS: process.env.OFFLINE_STEP_DELAY_MS ?? '400',
};
const FOLLOW = `subscription($taskId: ID!) { taskProgress(taskId: $taskId) { __typename at ... on ProgressEvent { etaSeconds tokensPerSecond progress } } }`;
const ETA = `query($id: ID!) { project(id: $id) { etaSeconds stages { status } } }`;

interface Followed {
  __typename: string;
  at: string;
  etaSeconds?: number | null;
}

interface Sample {
  at: number;
  eta: number | null;
}

/** The error (s) of the newest estimate made by 25/50/75 % of the run [start, end]. */
function errorsAt(samples: Sample[], start: number, end: number) {
  return [0.25, 0.5, 0.75].map((share) => {
    const when = start + share * (end - start);
    const made = samples.filter((s) => s.at <= when && s.eta !== null).at(-1);
    if (!made) return { share, error: null, eta: null, actual: (end - when) / 1000 };
    return { share, eta: made.eta, actual: (end - made.at) / 1000, error: Math.abs(made.eta! - (end - made.at) / 1000) };
  });
}

async function rewrite(t: TestApp, token: string, topic: string) {
  const projectId = (await t.gql(CREATE_PROJECT, { i: { name: topic, originalTopic: topic } }, token)).data.createProject.id;
  const task = (await t.gql(EXECUTE_STAGE, { i: { projectId, stage: 'REWRITE', cache: 'FRESH' } }, token)).data.executeStage.id;
  const sub = subscribe<Followed>(t.ws(token), FOLLOW, { taskId: task });
  await sub.done;
  const start = Date.parse(sub.events.find((e, i) => e.__typename === 'TaskStatusEvent' && i > 0)?.at ?? sub.events[0]!.at);
  const end = Date.parse(sub.events.at(-1)!.at);
  const samples = sub.events.filter((e) => e.__typename === 'ProgressEvent').map((e) => ({ at: Date.parse(e.at), eta: e.etaSeconds ?? null }));
  return { seconds: (end - start) / 1000, errors: errorsAt(samples, start, end) };
}

async function pipeline(t: TestApp, token: string, topic: string) {
  const id = (await t.gql(CREATE_PROJECT, { i: { name: topic, originalTopic: topic } }, token)).data.createProject.id;
  await t.gql(`mutation($id: ID!) { runPipeline(projectId: $id, cache: FRESH) { id } }`, { id }, token);
  const start = Date.now();
  const samples: Sample[] = [];
  for (;;) {
    const at = Date.now();
    const project = (await t.gql(ETA, { id }, token)).data.project;
    if (project.stages.every((s: { status: string }) => s.status !== 'QUEUED' && s.status !== 'RUNNING')) {
      return { seconds: (at - start) / 1000, errors: errorsAt(samples, start, at) };
    }
    samples.push({ at, eta: project.etaSeconds });
    await new Promise((r) => setTimeout(r, 250));
  }
}

const fmt = (r: { seconds: number; errors: ReturnType<typeof errorsAt> }) =>
  `${r.seconds.toFixed(1)} s; ` +
  r.errors.map((e) => `${e.share * 100}%: ${e.error === null ? 'no estimate yet' : `eta ${e.eta!.toFixed(1)} s vs ${e.actual.toFixed(1)} s, error ${e.error.toFixed(2)} s (${((100 * e.error) / r.seconds).toFixed(0)}% of the run)`}`).join('; ');

const t = await startTestApp({ env });
try {
  const { token } = await t.signUp();
  console.log(`pace: ${env.OFFLINE_TOKEN_DELAY_MS} ms/token, ${env.OFFLINE_STEP_DELAY_MS} ms/step`);
  console.log(`REWRITE cold:   ${fmt(await rewrite(t, token, 'a lighthouse keeper who befriends a whale'))}`);
  console.log(`REWRITE warm:   ${fmt(await rewrite(t, token, 'a kite that wanted to see the sea'))}`);
  console.log(`pipeline cold:  ${fmt(await pipeline(t, token, 'a lighthouse keeper who befriends a whale'))}`);
  console.log(`pipeline warm:  ${fmt(await pipeline(t, token, 'a kite that wanted to see the sea'))}`);
} finally {
  await t.stop();
}
process.exit(0);
