// stageProgress: follows a (project, stage) across its tasks and never completes on its own.
// It listens on the stage's channel, where every new task is announced, before it looks up
// the newest task, so a task created in between is seen either way (and followed once).
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { followTask, type FollowDeps } from './follow-task.ts';
import type { DeliveredEvent } from './types.ts';
import { abortable, createWaker } from './waker.ts';

export interface StageFollowOptions {
  stageChannel: string;
  /** The stage's newest task when the subscription starts, and whether it is still active. */
  newestTask: () => Promise<{ id: string; active: boolean } | null>;
  /** Cursor into the newest task's log; omitted: from the start if it is active, nothing if it ended. */
  after: number | null;
  withText: boolean;
}

export function followStage(deps: FollowDeps & { pubsub: RedisPubSub }, opts: StageFollowOptions): AsyncGenerator<DeliveredEvent> {
  return abortable(async function* (signal) {
    const out: DeliveredEvent[] = [];
    const waker = createWaker();
    const followers = new Map<string, AsyncGenerator<DeliveredEvent>>();
    const seen = new Set<string>();
    let failure: unknown = null;

    const follow = (taskId: string, after: number) => {
      if (seen.has(taskId) || signal.aborted) return;
      seen.add(taskId);
      const events = followTask(deps, { taskId, after, withText: opts.withText });
      followers.set(taskId, events);
      void (async () => {
        try {
          for await (const e of events) {
            out.push(e);
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

    const subId = await deps.pubsub.subscribe(opts.stageChannel, (m: { taskId: string }) => follow(m.taskId, 0));
    try {
      const newest = await opts.newestTask();
      if (newest && (newest.active || opts.after !== null)) follow(newest.id, opts.after ?? 0);
      while (!signal.aborted) {
        if (failure) throw failure;
        const e = out.shift();
        if (e) yield e;
        else await waker.wait(30_000, signal);
      }
    } finally {
      deps.pubsub.unsubscribe(subId);
      await Promise.all([...followers.values()].map((f) => f.return(undefined)));
    }
  });
}
