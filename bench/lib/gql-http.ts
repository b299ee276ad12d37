// GraphQL over HTTP, the way any client calls our API: sign up, create projects, start stages.
import { randomUUID } from 'node:crypto';
import { mapLimit } from './stats.ts';

export interface User {
  token: string;
  id: string;
}

export function createGqlClient(base: string) {
  async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (!body.data || body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  const api = {
    gql,
    async signUp(): Promise<User> {
      const email = `bench-${randomUUID().slice(0, 12)}@example.com`;
      const d = await gql<{ signUp: { token: string; user: { id: string } } }>(
        `mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }`,
        { i: { email, password: 'correct horse battery staple' } },
      );
      return { token: d.signUp.token, id: d.signUp.user.id };
    },
    signUpMany: (n: number) => mapLimit(n, 4, () => api.signUp()),
    async createProject(token: string): Promise<string> {
      const d = await gql<{ createProject: { id: string } }>(
        `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
        { i: { name: 'bench', originalTopic: 'a lighthouse keeper who talks to whales' } },
        token,
      );
      return d.createProject.id;
    },
    async executeStage(token: string, projectId: string, stage = 'REWRITE'): Promise<string> {
      const d = await gql<{ executeStage: { id: string } }>(
        `mutation($i: ExecuteStageInput!) { executeStage(input: $i) { id status } }`,
        // FRESH: the bench measures the model path, not the cache (an identical run would be reused).
        { i: { projectId, stage, cache: 'FRESH' } },
        token,
      );
      return d.executeStage.id;
    },
    /** Every stage of the project, each waiting for the ones it depends on: five tasks in one call. */
    async runPipeline(token: string, projectId: string): Promise<Array<{ id: string; stage: string }>> {
      const d = await gql<{ runPipeline: Array<{ id: string; stage: string }> }>(
        `mutation($p: ID!) { runPipeline(projectId: $p, cache: FRESH) { id stage } }`,
        { p: projectId },
        token,
      );
      return d.runPipeline;
    },
    /** Cancels a task; false when it had already ended. */
    async cancelTask(token: string, id: string): Promise<boolean> {
      try {
        await gql(`mutation($id: ID!) { cancelTask(id: $id) { id } }`, { id }, token);
        return true;
      } catch {
        return false;
      }
    },
  };
  return api;
}

export type GqlClient = ReturnType<typeof createGqlClient>;

/** The subscriptions the bench opens: the fields a client shows while a stage streams. */
export const TASK_PROGRESS = `subscription($taskId: ID!, $after: Int) { taskProgress(taskId: $taskId, after: $after) {
  __typename seq attempt at ... on TokenEvent { delta } } }`;
export const STAGE_PROGRESS = `subscription($projectId: ID!, $stage: StageName!) { stageProgress(projectId: $projectId, stage: $stage) {
  __typename seq attempt at ... on TokenEvent { delta } } }`;
