// Media by the task that stored it. A stage stores images and clips as it goes, so a task
// that fails or is cancelled part-way (or an attempt that is retried) leaves files nothing
// points at. Each file a task stores is recorded in media_files, in the same database as the
// task (Redis may lose keys; the database is where a task's fate is written), so the files
// of a task can be deleted when it ends without them, and a sweep can find any left.
import type { MikroORM } from '@mikro-orm/core';
import { MediaFile, Task } from '../db/entities.ts';
import type { MediaStore } from './media-store.ts';
import { AbortedError } from '../providers/provider-error.ts';
import { isFinished } from '../stages/names.ts';

export interface TaskMediaStore extends MediaStore {
  /**
   * The store a task's attempt writes through (its stage's `ctx.media`): each `put` is
   * recorded under the task. A put that finishes after the task has ended removes its
   * file again and throws AbortedError, since the task's cleanup may already have run.
   */
  forTask(taskId: string): MediaStore;
  /**
   * Deletes the files the task stored, except those in `keep` (media paths, URLs or keys:
   * a completed task keeps what its output points at), and their records. Files go first,
   * so a crash part-way leaves records of missing files (harmless), never orphan files.
   * Idempotent. Returns how many files were deleted.
   */
  deleteOfTask(taskId: string, opts?: { keep?: readonly string[] }): Promise<number>;
}

export function createTaskMediaStore(deps: { store: MediaStore; orm: MikroORM }): TaskMediaStore {
  const { store, orm } = deps;

  const taskEnded = async (taskId: string): Promise<boolean> => {
    const task = await orm.em.fork().findOne(Task, { id: taskId }, { fields: ['status'] });
    return !task || isFinished(task.status);
  };

  // Delegates by call, not by spreading: a store may be a class instance.
  const plain: MediaStore = {
    put: (bytes, ext) => store.put(bytes, ext),
    get: (key) => store.get(key),
    open: (key) => store.open(key),
    delete: (key) => store.delete(key),
    keyOf: (pathOrUrl) => store.keyOf(pathOrUrl),
  };

  const forget = (keys: string[]) => (keys.length ? orm.em.fork().nativeDelete(MediaFile, { key: { $in: keys } }) : Promise.resolve(0));

  return {
    ...plain,
    forTask(taskId) {
      return {
        ...plain,
        async put(bytes, ext) {
          // Written, then recorded: a crash between the two (milliseconds) is the only way to
          // leave a file no record names.
          const stored = await store.put(bytes, ext);
          try {
            await orm.em.fork().insert(MediaFile, { key: stored.key, taskId, createdAt: new Date() });
          } catch (err) {
            await store.delete(stored.key).catch(() => {});
            throw err;
          }
          // Recorded before this check: a cleanup that starts after it sees the record; one
          // that ran before it saw the task ended, which this check sees too.
          if (await taskEnded(taskId)) {
            await store.delete(stored.key);
            await forget([stored.key]);
            throw new AbortedError();
          }
          return stored;
        },
      };
    },
    async deleteOfTask(taskId, opts = {}) {
      const keep = new Set((opts.keep ?? []).map((k) => store.keyOf(k) ?? k));
      const rows = await orm.em.fork().find(MediaFile, { taskId }, { fields: ['key'] });
      const gone = rows.map((r) => r.key).filter((key) => !keep.has(key));
      for (const key of gone) await store.delete(key);
      await forget(gone);
      return gone.length;
    },
  };
}
