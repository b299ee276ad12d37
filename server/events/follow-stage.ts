// stageProgress: follows a (project, stage) across its tasks and never completes on its own.
// It listens on the stage's channel, where every new task is announced, before it looks up
// the newest task, so a task created in between is seen either way (and followed once).
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { NotFoundError } from '../errors.ts';
import { followTask, type FollowDeps } from './follow-task.ts';
import type { DeliveredEvent } from './types.ts';
import { abortable, createWaker } from './waker.ts';

export interface StageFollowOptions {
  projectId: string;
  stageChannel: string;
  /** The stage's newest task when the subscription starts, and whether it is still active. */
  newestTask: () => Promise<{ id: string; active: boolean } | null>;
  /** Asked before each task is followed: false ends the subscription (access was lost). */
  mayFollow?: () => Promise<boolean>;
  /** Cursor into the newest task's log; omitted: from the start if it is active, nothing if it ended. */
  after: number | null;
  withText: boolean;
}

export function followStage(deps: FollowDeps & { pubsub: RedisPubSub }, opts: StageFollowOptions): AsyncGenerator<DeliveredEvent> {
  // A reader slower than the stream holds at most this many events here: past it the task
  // followers wait, and their own bounded buffers fill the gap from the log.
  const maxBuffered = deps.maxBuffered ?? 2000;
  return abortable(async function* (signal) {
    const out: DeliveredEvent[] = [];
    const waker = createWaker();
    const room = createWaker();
    const followers = new Map<string, AsyncGenerator<DeliveredEvent>>();
    const seen = new Set<string>();
    let failure: unknown = null;
    let lostAccess = false;

    const follow = async (taskId: string, after: number) => {
      if (seen.has(taskId) || signal.aborted) return;
      seen.add(taskId);
      if (opts.mayFollow && !(await opts.mayFollow().catch((err) => ((failure ??= err), true)))) {
        lostAccess = true;
        waker.wake();
        return;
      }
      const events = followTask(deps, { taskId, after, withText: opts.withText });
      followers.set(taskId, events);
      void (async () => {
        try {
          for await (const e of events) {
            while (out.length >= maxBuffered && !signal.aborted) await room.wait(1000, signal);
            out.push(e);
            deps.onStageBuffer?.(out.length);
            waker.wake();
          }
        } catch (err) {
          failure ??= err;
          waker.wake();
        } finally {
          followers.delete(taskId);
        }
      })();
    };

    const subId = await deps.pubsub.subscribe(opts.stageChannel, (m: { taskId: string }) => void follow(m.taskId, 0));
    try {
      const newest = await opts.newestTask();
      if (newest && (newest.active || opts.after !== null)) await follow(newest.id, opts.after ?? 0);
      while (!signal.aborted) {
        if (failure) throw failure;
        const e = out.shift();
        if (e) {
          room.wake();
          yield e;
        } else if (lostAccess) {
          throw new NotFoundError('Project', opts.projectId);
        } else await waker.wait(30_000, signal);
      }
    } finally {
      deps.pubsub.unsubscribe(subId);
      await Promise.all([...followers.values()].map((f) => f.return(undefined)));
    }
  });
}
