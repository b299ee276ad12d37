// The tasks the streaming scenarios write into: those executeStage made, topped up through
// the API with runPipeline (five tasks per project, each with its log). A scenario takes
// its own and starts their attempts under the bench's lease.
import type { StageName } from '../../server/stages/names.ts';
import type { BenchTask } from './feeds.ts';
import type { User } from './gql-http.ts';
import type { AppHandle } from './harness.ts';
import { mapLimit, nowUs } from './stats.ts';

export interface TaskPool {
  take(n: number): BenchTask[];
  /** How fast the pool was made: runPipeline calls per second. */
  pipelinesPerSecond: number;
}

export async function createTaskPool(app: AppHandle, size: number, owners: User[], made: BenchTask[]): Promise<TaskPool> {
  const projectCount = Math.max(0, Math.ceil((size - made.length) / 5));
  const owner = (i: number) => owners[i % owners.length];
  const projects = await mapLimit(projectCount, 16, (i) => app.api.createProject(owner(i).token));
  const started = nowUs();
  const perProject = await mapLimit(projectCount, 16, (i) => app.api.runPipeline(owner(i).token, projects[i]));
  const pipelinesPerSecond = projectCount / ((nowUs() - started) / 1e6);
  const tasks: BenchTask[] = [
    ...made,
    ...perProject.flatMap((created, i) => created.map((t) => ({ taskId: t.id, projectId: projects[i], stage: t.stage as StageName, ownerToken: owner(i).token }))),
  ];
  let next = 0;
  return {
    pipelinesPerSecond,
    take(n) {
      if (next + n > tasks.length) throw new Error(`the task pool has ${tasks.length - next} tasks left, ${n} wanted`);
      return tasks.slice(next, (next += n));
    },
  };
}
