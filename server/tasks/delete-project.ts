// deleteProject: its running tasks are cancelled (refunded, workers told), then the project,
// its tasks and their logs go in one transaction, then its images and clips. Files go after
// the rows, so a failure leaves orphan files, never rows pointing at missing files.
import type { UserRow } from '../db/entities.ts';
import { parseJson } from '../db/json.ts';
import type { TaskMediaStore } from '../media/task-media.ts';
import type { ProjectService } from '../projects/project-service.ts';
import { isActive } from '../stages/names.ts';
import { mediaPathsOf, type StageOutput } from '../stages/outputs.ts';
import { BY_AUTHORITY, type Lifecycle } from './lifecycle.ts';
import type { TaskStore } from './task-store.ts';
import type { VersionStore } from './version-store.ts';

export type DeleteProject = (user: Pick<UserRow, 'id'>, projectId: string) => Promise<void>;

export function createDeleteProject(deps: {
  projects: ProjectService;
  tasks: TaskStore;
  lifecycle: Lifecycle;
  media: TaskMediaStore;
  versions: Pick<VersionStore, 'sharedMedia'>;
}): DeleteProject {
  return async (user, projectId) => {
    const media: string[] = [];
    let tasks: string[] = [];
    await deps.projects.delete(user.id, projectId, async (taskIds) => {
      tasks = taskIds;
      for (const taskId of taskIds) {
        const task = await deps.tasks.find(taskId);
        if (!task) continue;
        if (isActive(task.status)) await deps.lifecycle.finish(task, { status: 'CANCELLED', message: 'The project was deleted.' }, BY_AUTHORITY);
        media.push(...mediaPathsOf(parseJson<StageOutput>(task.output)));
      }
    });
    // Every file a task stored (recorded per task), and the outputs' files (older tasks stored them
    // unrecorded), except those a cached run of another project shows too.
    const keys = media.map((path) => deps.media.keyOf(path)).filter((key): key is string => key !== null);
    const shared = await deps.versions.sharedMedia(projectId, keys);
    for (const taskId of tasks) await deps.media.deleteOfTask(taskId, { keep: [...shared] });
    for (const key of keys) if (!shared.has(key)) await deps.media.delete(key);
  };
}
