// The load: users signed up on either API, a project for each pair of text tasks (REWRITE
// from the topic, STORYBOARD from a given text) and one per pipeline, then the tasks created
// at a steady rate over both APIs, a share of them followed over graphql-ws and a share
// cancelled a moment after they start. Every creation carries an idempotency key (or, for
// runPipeline, is adopted on CONFLICT), so a retry after an outage never makes a second task.
import { gql, GqlFailure } from './gql.ts';
import type { SoakSettings } from './settings.ts';
import { eachLimit, sleep } from './settings.ts';
import { follow, type SubscriberRecord } from './subscriber.ts';

export interface SoakUser {
  id: string;
  token: string;
}

export interface CreatedTask {
  id: string;
  ownerId: string;
  stage: string;
}

export interface LoadResult {
  users: SoakUser[];
  /** Tasks the load created (the database is the ground truth; this is what clients saw). */
  tasks: Map<string, CreatedTask>;
  subscribers: Array<Promise<SubscriberRecord>>;
  /** `answeredMs`: how long each accepted cancelTask took to answer. */
  cancels: { requested: number; accepted: number; alreadyFinal: number; failed: string[]; answeredMs: number[] };
  /** Creations that failed for good (after retries). */
  createFailures: string[];
  /** How long each successful executeStage / runPipeline took to answer (retries included). */
  createAnsweredMs: number[];
  startedAt: number;
  endedAt: number;
}

interface Item {
  user: SoakUser;
  projectId: string;
  kind: 'REWRITE' | 'STORYBOARD' | 'PIPELINE';
  key: string;
}

const TOPICS = ['山脚下的灯塔', 'a lighthouse keeper who talks to whales', '一只想飞的猫', 'a clock that stops at midnight', '会移动的图书馆'];
const STORY = '老人每晚点亮灯火，为迷路的船只指引方向。A storm came, and a small boat turned towards the light. 天亮的时候，渔夫们向灯塔挥手。';

const CREATE_PROJECT = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`;
const EXECUTE_STAGE = `mutation($i: ExecuteStageInput!) { executeStage(input: $i) { id stage } }`;
// FRESH: the soak exercises every task's run, never the cache's shortcut.
const RUN_PIPELINE = `mutation($p: ID!) { runPipeline(projectId: $p, cache: FRESH) { id stage } }`;
const PROJECT_TASKS = `query($p: ID!) { project(id: $p) { tasks(first: 20) { id stage } } }`;
const CANCEL = `mutation($id: ID!) { cancelTask(id: $id) { id status } }`;
const LAST_SEQ = `query($id: ID!) { task(id: $id) { lastSeq } }`;

export async function runLoad(opts: {
  /** An API's base URL for each call (any live one). */
  pickApi: () => string;
  settings: SoakSettings;
  random: () => number;
  /** Told how many tasks exist so far, after each creation (the chaos schedule hangs on it). */
  onCreated: (count: number) => void;
  giveUp: AbortSignal;
  log: (line: string) => void;
}): Promise<LoadResult> {
  const { settings, random, pickApi } = opts;
  const pickWs = () => `${pickApi().replace(/^http/, 'ws')}/graphql`;
  const tag = `${settings.seed}-${Date.now().toString(36)}`;

  // Users and projects first: the load itself is task creation.
  const users: SoakUser[] = [];
  await eachLimit(Array.from({ length: settings.users }, (_, i) => i), 8, async (i) => {
    const d = await gql<{ signUp: { token: string; user: { id: string } } }>(pickApi, `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }`, {
      i: { email: `soak-${tag}-${i}@example.com`, password: 'correct horse battery staple' },
    });
    users[i] = { id: d.signUp.user.id, token: d.signUp.token };
  });
  const pipelines = Math.max(1, Math.round((settings.tasks * settings.pipelineShare) / 5));
  const textTasks = Math.max(0, settings.tasks - pipelines * 5);
  const projects = pipelines + Math.ceil(textTasks / 2);
  const items: Item[] = [];
  await eachLimit(Array.from({ length: projects }, (_, i) => i), 8, async (p) => {
    const user = users[p % users.length]!;
    const d = await gql<{ createProject: { id: string } }>(pickApi, CREATE_PROJECT, { i: { name: `soak ${p}`, originalTopic: TOPICS[p % TOPICS.length] } }, user.token);
    const projectId = d.createProject.id;
    if (p < pipelines) items.push({ user, projectId, kind: 'PIPELINE', key: `${tag}-${p}-pipeline` });
    else {
      const first = (p - pipelines) * 2;
      items.push({ user, projectId, kind: 'REWRITE', key: `${tag}-${p}-rewrite` });
      if (first + 1 < textTasks) items.push({ user, projectId, kind: 'STORYBOARD', key: `${tag}-${p}-storyboard` });
    }
  });
  // Shuffled (seeded), so a project's two tasks and the pipelines are spread over the run.
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  opts.log(`load: ${users.length} users, ${projects} projects; ${textTasks} text tasks and ${pipelines} pipelines (${pipelines * 5} tasks) at ${settings.ratePerSecond}/s`);

  const result: LoadResult = {
    users,
    tasks: new Map(),
    subscribers: [],
    cancels: { requested: 0, accepted: 0, alreadyFinal: 0, failed: [], answeredMs: [] },
    createFailures: [],
    createAnsweredMs: [],
    startedAt: Date.now(),
    endedAt: 0,
  };
  const pending: Array<Promise<void>> = [];

  function cancelLater(task: CreatedTask, user: SoakUser) {
    const run = async () => {
      await sleep(random() * 3000);
      result.cancels.requested += 1;
      const asked = Date.now();
      try {
        await gql(pickApi, CANCEL, { id: task.id }, user.token, 60_000);
        result.cancels.accepted += 1;
        result.cancels.answeredMs.push(Date.now() - asked);
      } catch (err) {
        if (err instanceof GqlFailure && err.code === 'CONFLICT') result.cancels.alreadyFinal += 1;
        else result.cancels.failed.push(`${task.id}: after ${((Date.now() - asked) / 1000).toFixed(1)} s: ${(err as Error).message}`);
      }
    };
    pending.push(run());
  }

  function subscribeTo(task: CreatedTask, user: SoakUser) {
    const late = random() < 0.3;
    const delayMs = late ? random() * 3000 : 0;
    result.subscribers.push(
      (async () => {
        await sleep(delayMs);
        // A late joiner reads the task, then resumes from its lastSeq, as the contract says.
        let after = 0;
        if (late) after = (await gql<{ task: { lastSeq: number } }>(pickApi, LAST_SEQ, { id: task.id }, user.token, 30_000).catch(() => null))?.task.lastSeq ?? 0;
        return follow({ taskId: task.id, token: user.token, after, pickUrl: pickWs, giveUp: opts.giveUp });
      })(),
    );
  }

  async function create(item: Item): Promise<void> {
    let made: Array<{ id: string; stage: string }>;
    const asked = Date.now();
    try {
      if (item.kind === 'PIPELINE') {
        try {
          made = (await gql<{ runPipeline: Array<{ id: string; stage: string }> }>(pickApi, RUN_PIPELINE, { p: item.projectId }, item.user.token)).runPipeline;
        } catch (err) {
          // An earlier try may have committed before its answer was lost: adopt what it made.
          if (!(err instanceof GqlFailure && err.code === 'CONFLICT')) throw err;
          made = (await gql<{ project: { tasks: Array<{ id: string; stage: string }> } }>(pickApi, PROJECT_TASKS, { p: item.projectId }, item.user.token)).project.tasks;
        }
      } else {
        const input = item.kind === 'STORYBOARD' ? { text: STORY, sceneCount: 2 + Math.floor(random() * 5) } : undefined;
        const d = await gql<{ executeStage: { id: string; stage: string } }>(pickApi, EXECUTE_STAGE, {
          i: { projectId: item.projectId, stage: item.kind, input, idempotencyKey: item.key, cache: 'FRESH' },
        }, item.user.token);
        made = [d.executeStage];
      }
    } catch (err) {
      result.createFailures.push(`${item.kind} of project ${item.projectId}: ${(err as Error).message}`);
      return;
    }
    result.createAnsweredMs.push(Date.now() - asked);
    for (const t of made) {
      const task = { id: t.id, ownerId: item.user.id, stage: t.stage };
      if (result.tasks.has(task.id)) continue;
      result.tasks.set(task.id, task);
      opts.onCreated(result.tasks.size);
      if (random() < settings.subscribeShare) subscribeTo(task, item.user);
      if (random() < settings.cancelShare) cancelLater(task, item.user);
    }
  }

  // Each item at its time on a steady clock (a pipeline weighs 5), at most 64 creations in flight.
  let due = Date.now();
  let inFlight = 0;
  for (const item of items) {
    due += ((item.kind === 'PIPELINE' ? 5 : 1) * 1000) / settings.ratePerSecond;
    while (inFlight >= 64 || Date.now() < due) await sleep(Math.max(5, Math.min(50, due - Date.now())));
    inFlight += 1;
    pending.push(create(item).finally(() => (inFlight -= 1)));
  }
  // Cancels are pushed while creations finish: wait until the list stops growing.
  for (let seen = 0; seen < pending.length; ) {
    const batch = pending.slice(seen);
    seen = pending.length;
    await Promise.all(batch);
  }
  result.endedAt = Date.now();
  return result;
}
