// Operations of versions, refine, edit and cache, as a third-party client writes them, and
// a helper that runs a whole pipeline to its end.
import { TASK_PROGRESS } from './queries.ts';
import { subscribe, type TestApp } from './test-app.ts';

export const OUTPUT_FIELDS = `__typename
  ... on RewriteOutput { text }
  ... on StoryboardOutput { scenes { index narration visualPrompt durationSeconds } }
  ... on ImagesOutput { images { sceneIndex url prompt } }
  ... on CameraOutput { shots { sceneIndex movement description } }
  ... on VideoOutput { clips { sceneIndex url durationSeconds } }
  ... on NarrationOutput { audioUrl lines { sceneIndex text startSeconds durationSeconds audioUrl } }
  ... on FilmOutput { url durationSeconds }`;

export const STAGES = `query($id: ID!) { project(id: $id) { stages { name status stale output { ${OUTPUT_FIELDS} }
  versions { id source instructions current createdAt task { id cached } } } } }`;
export const RUN_PIPELINE = `mutation($p: ID!, $from: StageName, $cache: CachePolicy) { runPipeline(projectId: $p, from: $from, cache: $cache) { id stage status creditsCharged } }`;
export const EXECUTE = `mutation($i: ExecuteStageInput!) { executeStage(input: $i) { id status creditsCharged cached } }`;
export const REFINE = `mutation($i: RefineStageInput!) { refineStage(input: $i) { id status stage creditsCharged } }`;
export const UPDATE_OUTPUT = `mutation($i: UpdateStageOutputInput!) { updateStageOutput(input: $i) { name stale output { ${OUTPUT_FIELDS} } } }`;
export const SELECT_VERSION = `mutation($p: ID!, $s: StageName!, $v: ID!) { selectStageVersion(projectId: $p, stage: $s, versionId: $v) { name output { ${OUTPUT_FIELDS} } } }`;
export const TASK_DONE = `query($id: ID!) { task(id: $id) { id stage status cached creditsCharged text output { ${OUTPUT_FIELDS} } } }`;
export const ME = `{ me { credits } }`;

export type Stage = { name: string; status: string; stale: boolean; output: any; versions: any[] };

export async function stagesOf(t: TestApp, token: string, projectId: string): Promise<Record<string, Stage>> {
  const r = await t.gql(STAGES, { id: projectId }, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return Object.fromEntries(r.data.project.stages.map((s: Stage) => [s.name, s]));
}

/** Follows a task's events to its end. */
export async function finished(t: TestApp, token: string, taskId: string): Promise<any[]> {
  const sub = subscribe(t.ws(token), TASK_PROGRESS, { taskId, after: 0 });
  await sub.done;
  return sub.events;
}

/** Runs the pipeline and waits for every task of it to end; returns the tasks as they ended. */
export async function runPipeline(t: TestApp, token: string, projectId: string, vars: { from?: string; cache?: string } = {}): Promise<any[]> {
  const r = await t.gql(RUN_PIPELINE, { p: projectId, ...vars }, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const tasks = r.data.runPipeline as Array<{ id: string }>;
  for (const task of tasks) await finished(t, token, task.id);
  return Promise.all(tasks.map(async (task) => (await t.gql(TASK_DONE, { id: task.id }, token)).data.task));
}

export const credits = async (t: TestApp, token: string): Promise<number> => (await t.gql(ME, {}, token)).data.me.credits;
