// The BullMQ worker of this process, and its ear on the control channel: a cancel reaches
// every worker, and the one holding the job aborts it (and the provider call with it).
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { QUEUE_NAME } from '../queue/task-queue.ts';
import type { TaskJobData } from './run-task.ts';

export interface ControlMessage {
  type: 'cancel';
  taskId: string;
}

export interface TaskWorker {
  close(): Promise<void>;
}

export async function startTaskWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockMs: number;
  pubsub: RedisPubSub;
  controlChannel: string;
  process: (job: import('bullmq').Job<TaskJobData>, token?: string, signal?: AbortSignal) => Promise<void>;
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
      await worker.close();
    },
  };
}
