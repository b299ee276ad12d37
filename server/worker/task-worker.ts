// The BullMQ worker of this process, and its ear on the control channel: a cancel reaches
// every worker, and the one holding the job aborts it (and the provider call with it).
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { ControlMessage } from '../queue/control.ts';
import { QUEUE_NAME, type TaskJobData } from '../queue/task-queue.ts';

export interface TaskWorker {
  close(): Promise<void>;
}

export async function startTaskWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockMs: number;
  /** How long close() lets running jobs finish before leaving them (their locks lapse and another worker takes them over). */
  graceMs: number;
  pubsub: RedisPubSub;
  controlChannel: string;
  process: (job: Job<TaskJobData>, token?: string, signal?: AbortSignal) => Promise<void>;
  log: (msg: string, err?: unknown) => void;
}): Promise<TaskWorker> {
  const worker = new Worker<TaskJobData>(QUEUE_NAME, deps.process, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    // A dead worker's job is handed to another within lockDuration + stalledInterval (45 s by default).
    lockDuration: deps.lockMs,
    stalledInterval: Math.round(deps.lockMs / 2),
    maxStalledCount: 3,
    settings: {
      // Wait exactly what the FailedEvent told clients (retryInMs): backoff with jitter, or
      // longer when the provider asked for it.
      backoffStrategy: (_attemptsMade, _type, err) => (err as { retryInMs?: number } | undefined)?.retryInMs ?? 1000,
    },
  });
  worker.on('error', (err) => deps.log('worker error', err));
  const subId = await deps.pubsub.subscribe(deps.controlChannel, (msg: ControlMessage) => {
    if (msg.type === 'cancel') worker.cancelJob(msg.taskId, 'cancelled by the user');
  });
  await worker.waitUntilReady();
  return {
    async close() {
      deps.pubsub.unsubscribe(subId);
      // Take no new jobs and let the running ones finish, for a while; then leave them: their
      // locks lapse and another worker takes them over as new attempts.
      const finished = worker.pause().then(() => true);
      const inTime = await Promise.race([finished, new Promise<boolean>((r) => setTimeout(() => r(false), deps.graceMs).unref())]);
      if (!inTime) deps.log(`shutdown: tasks still running after ${deps.graceMs} ms are left to another worker`);
      await worker.close(true);
    },
  };
}
