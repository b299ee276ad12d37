// The life of a task, in one place: created and charged, dispatched, attempts started and
// retried, and ended with an outcome. Every way a task ends (a worker completing or failing
// it, a user cancelling it, a pipeline cancelling what can no longer run, the sweep
// repairing a process death) goes through `finish` or `settle`, so the sequence is written
// once: conditional database update (refund included) → final events → archive → what
// follows downstream. Each step is idempotent, so a repeat after a crash is harmless.
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { Task, type TaskRow } from '../db/entities.ts';
import { closeLog, refOf } from '../events/close-log.ts';
import { throughOutage } from '../errors.ts';
import { LeaseLostError, type EventLog, type Producer } from '../events/event-log.ts';
import type { EventBody } from '../events/types.ts';
import { AUTHORITY, type AttemptLease, type AuthorityLease } from '../events/lease.ts';
import { parseJson } from '../db/json.ts';
import type { TaskMediaStore } from '../media/task-media.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ControlMessage } from '../queue/control.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import { mediaPathsOf, type StageOutput, type TaskErrorInfo } from '../stages/outputs.ts';
import { charge } from './new-task.ts';
import { nextStep, type Pipeline } from './pipeline.ts';
import type { Completion, TaskStore } from './task-store.ts';

/** A worker's attempt: it may write only while its lease holds and the task is at its attempt. */
export interface AttemptActor {
  lease: AttemptLease;
  attempt: number;
  by: Producer;
}
/** The API and the sweep: they may end a task whoever runs it. */
export interface AuthorityActor {
  lease: AuthorityLease;
}
export type Actor = AttemptActor | AuthorityActor;

export const BY_AUTHORITY: AuthorityActor = { lease: AUTHORITY };

export type Outcome =
  | { status: 'COMPLETED'; result: Omit<Completion, 'provider' | 'model'>; startedAt: Date }
  | { status: 'FAILED'; error: TaskErrorInfo }
  | { status: 'CANCELLED'; message: string };

/**
 * The share of a task's charge refunded when it fails or is cancelled: what the provider
 * did not bill. Media stages are refunded for the scenes not made (their progress); a text
 * stage that streamed text keeps half (the model billed the tokens it wrote), one that
 * wrote nothing is refunded in full. So a run cannot be cancelled at 99% for free.
 */
export function unbilledShare(live: { meta: { progress: number }; text: string } | null): number {
  if (!live) return 1;
  // A text stage's progress is an estimate (text-meter.ts), never a bill: half once it streamed.
  const done = live.text.length > 0 ? 0.5 : live.meta.progress / 100;
  return Math.max(0, 1 - done);
}

export interface Lifecycle {
  /**
   * Charges the credits and inserts the tasks in one transaction (with whatever `alongside`
   * writes), then dispatches each. Throws before anything is written when it cannot commit.
   */
  create(userId: string, rows: TaskRow[], alongside?: (em: EntityManager) => Promise<void>): Promise<void>;
  /** The log's first event, then the job (unless `enqueue` is false: it waits for its pipeline). */
  dispatch(task: TaskRow, opts?: { enqueue?: boolean }): Promise<void>;
  /** Opens an attempt under `lease`; null when the task has ended or another attempt has it. */
  start(task: TaskRow, lease: AttemptLease, by: Producer): Promise<number | null>;
  /** The attempt failed but will be retried: the row says RETRYING, the log says when. */
  retry(task: TaskRow, actor: AttemptActor, error: TaskErrorInfo, retryInMs: number): Promise<void>;
  /** Ends the task with this outcome; null when it had already ended (or the actor lost it). */
  finish(task: TaskRow, outcome: Outcome, actor: Actor): Promise<TaskRow | null>;
  /** What follows an ended row: its final events, the archive, the pipeline. The sweep repeats it. */
  settle(ended: TaskRow, actor?: Actor): Promise<void>;
}

export interface LifecycleDeps {
  orm: MikroORM;
  tasks: TaskStore;
  eventLog: EventLog;
  queue: TaskQueue;
  pipeline: Pipeline;
  pubsub: RedisPubSub;
  controlChannel: string;
  media: Pick<TaskMediaStore, 'deleteOfTask'>;
  logTtlSeconds: number;
  /** How long a worker's attempt retries its writes while Redis or the database is unreachable. */
  outageToleranceMs: number;
  log: (msg: string, err?: unknown) => void;
  /** Counts tasks as they end (by stage and final status) and their run time. */
  metrics?: Metrics;
}

export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { tasks, eventLog } = deps;
  // A worker holds the output of its attempt: it waits out an outage rather than lose it. The
  // API answers SERVICE_UNAVAILABLE at once instead; the sweep finishes what it left.
  const patient = <T>(actor: Actor, fn: () => Promise<T>): Promise<T> =>
    'attempt' in actor ? throughOutage(fn, { toleranceMs: deps.outageToleranceMs }) : fn();

  async function dispatch(task: TaskRow, opts: { enqueue?: boolean } = {}): Promise<void> {
    await eventLog.init(refOf(task));
    // Fair share: a user's nth active task waits behind everyone's earlier ones (task-queue.ts).
    if (opts.enqueue !== false) await deps.queue.add(task.id, { priority: await tasks.activeCountOf(task.ownerId) });
  }

  async function end(task: TaskRow, outcome: Outcome, actor: Actor): Promise<TaskRow | null> {
    const ended = await patient(actor, () => endOnce(task, outcome, actor));
    if (ended) deps.metrics?.taskFinished(ended.stage, ended.status, typeof ended.processingTimeMs === 'number' ? ended.processingTimeMs / 1000 : null);
    return ended;
  }

  async function endOnce(task: TaskRow, outcome: Outcome, actor: Actor): Promise<TaskRow | null> {
    const attempt = 'attempt' in actor ? actor.attempt : null;
    let won: boolean;
    if (outcome.status === 'COMPLETED') {
      if (!('by' in actor)) throw new Error('only an attempt completes a task');
      won = await tasks.complete(task.id, actor.attempt, { ...outcome.result, ...actor.by }, outcome.startedAt);
    } else {
      const refundShare = unbilledShare(await eventLog.snapshot(task.id));
      const details = outcome.status === 'FAILED' ? { error: outcome.error, message: outcome.error.message } : { message: outcome.message };
      won = await tasks.end(task.id, outcome.status, attempt, { ...details, refundShare });
    }
    return won ? tasks.find(task.id) : null;
  }

  async function settle(ended: TaskRow, actor: Actor = BY_AUTHORITY, cascade = true): Promise<void> {
    // Idempotent: a replay finds the log ended and only archives.
    await patient(actor, () => closeLog({ orm: deps.orm, eventLog, logTtlSeconds: deps.logTtlSeconds }, ended, actor.lease, 'by' in actor ? actor.by : undefined));
    if (ended.status === 'CANCELLED') {
      // The worker running it, wherever it is, aborts the provider call; a waiting job goes.
      await deps.pubsub.publish(deps.controlChannel, { type: 'cancel', taskId: ended.id } satisfies ControlMessage);
      await deps.queue.remove(ended.id);
    }
    // Files an attempt stored that the outcome does not keep (a failed or cancelled task's, a
    // retried attempt's) go; idempotent, so the sweep may repeat it.
    const output = ended.status === 'COMPLETED' ? parseJson<StageOutput>(ended.output) : null;
    const keep = mediaPathsOf(output);
    await deps.media.deleteOfTask(ended.id, { keep }).catch((err) => deps.log(`task ${ended.id}: media cleanup failed`, err));
    if (cascade && ended.pipelineId) {
      const step = nextStep(ended, await deps.pipeline.siblings(ended.pipelineId));
      for (const task of step.ready) await dispatch(task);
      // The step already covers everything downstream, so these end without cascading again.
      for (const task of step.blocked) {
        const blocked = await end(task, { status: 'CANCELLED', message: step.reason }, BY_AUTHORITY);
        if (blocked) await settle(blocked, BY_AUTHORITY, false);
      }
    }
  }

  return {
    async create(userId, rows, alongside) {
      await deps.orm.em.fork().transactional(async (em) => {
        await charge(em, userId, rows);
        await em.insertMany(Task, rows);
        await alongside?.(em);
      });
      for (const row of rows) {
        try {
          // Every task gets its log (seq 1, QUEUED) now; only those waiting for nothing get a job.
          await dispatch(row, { enqueue: !row.waitingOn });
        } catch (err) {
          // Committed but not enqueued (Redis went away): the sweep dispatches it when Redis is back.
          deps.log(`task ${row.id}: dispatch deferred to the sweep`, err);
        }
      }
    },

    dispatch,

    async start(task, lease, by) {
      let attempt: number;
      try {
        attempt = await eventLog.startAttempt(refOf(task), lease, by);
      } catch (err) {
        if (err instanceof LeaseLostError) return null; // the log has ended (cancelled)
        throw err;
      }
      return (await tasks.markRunning(task.id, attempt)) ? attempt : null;
    },

    async retry(task, actor, error, retryInMs) {
      if (!(await patient(actor, () => tasks.markRetrying(task.id, actor.attempt, error)))) return;
      const bodies: EventBody[] = [
        { type: 'failed', error, willRetry: true, retryInMs },
        { type: 'status', status: 'RETRYING', message: error.message },
      ];
      await patient(actor, () => eventLog.append(refOf(task), actor.lease, bodies, actor.by, { key: `${actor.lease.token}:retry` }));
    },

    async finish(task, outcome, actor) {
      const ended = await end(task, outcome, actor);
      if (ended) await settle(ended, actor);
      return ended;
    },

    settle: (ended, actor) => settle(ended, actor),
  };
}
