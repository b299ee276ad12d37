// Runs one attempt of a task: take the lease, run the stage, stream its events, record the
// outcome. Everything the attempt writes is fenced by the lease (Redis) and the attempt
// number (database), so a worker that lost its job can neither append nor finish.
import { UnrecoverableError, type Job } from 'bullmq';
import type { MikroORM } from '@mikro-orm/core';
import { LeaseLostError, type EventLog } from '../events/event-log.ts';
import type { ProjectService } from '../projects/project-service.ts';
import { AbortedError, ProviderError } from '../providers/provider-error.ts';
import type { MediaStore } from '../media/media-store.ts';
import { isFinished, type StageName } from '../stages/names.ts';
import type { TaskErrorInfo } from '../stages/outputs.ts';
import type { StageRegistry } from '../stages/registry.ts';
import type { DependencyOutputs, Providers, StageResult } from '../stages/stage.ts';
import { closeLog, refOf } from '../tasks/close-log.ts';
import type { Pipeline } from '../tasks/pipeline.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import { AppError } from '../errors.ts';
import { createTokenBatcher } from './token-batcher.ts';

export interface RunTaskDeps {
  orm: MikroORM;
  eventLog: EventLog;
  tasks: TaskStore;
  projects: ProjectService;
  registry: StageRegistry;
  /** The providers to use for an attempt (records are re-read each time). */
  resolveProviders: () => Promise<Providers>;
  media: MediaStore;
  pipeline: Pipeline;
  stageModels: Partial<Record<StageName, string>>;
  timeLimitsMs: Record<'text' | 'image' | 'video', number>;
  logTtlSeconds: number;
  retryBackoffMs: number;
  log: (msg: string, err?: unknown) => void;
}

export interface TaskJobData {
  taskId: string;
}

/** What the user sees of a failure: provider errors as they are, anything else masked. */
export function describeFailure(err: unknown): TaskErrorInfo {
  if (err instanceof ProviderError) return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof AppError) return { code: err.code, message: err.message, retryable: false };
  const name = (err as Error)?.name ?? '';
  // Redis or database hiccups are transient: another attempt may well succeed.
  if (/Redis|Connection|ECONNRE|ETIMEDOUT/i.test(`${name} ${(err as Error)?.message ?? ''}`)) {
    return { code: 'SERVICE_UNAVAILABLE', message: 'A backing service was briefly unreachable.', retryable: true };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'The stage failed unexpectedly.', retryable: false };
}

export function createRunTask(deps: RunTaskDeps) {
  const { eventLog, tasks } = deps;

  return async function runTask(job: Job<TaskJobData>, token: string | undefined, jobSignal?: AbortSignal): Promise<void> {
    const lease = token ?? `job:${job.id}`;
    const row = await tasks.find(job.data.taskId);
    if (!row || isFinished(row.status)) return; // cancelled before it ran, or already done
    const ref = refOf(row);
    const stage = deps.registry.get(row.stage as StageName);
    if (!stage) throw new UnrecoverableError(`unknown stage ${row.stage}`);

    await eventLog.init(ref); // no-op unless the API died before writing it
    const providers = await deps.resolveProviders();
    const used = providers[stage.providerKind];
    const stageModel = deps.stageModels[stage.name];
    // A failover may switch provider mid-attempt; the offline provider has its own model.
    const by = () => ({ provider: used.name, model: used.name === 'offline' ? used.model : (stageModel ?? used.model) });
    let attempt: number;
    try {
      attempt = await eventLog.startAttempt(ref, lease, by());
    } catch (err) {
      if (err instanceof LeaseLostError) return; // the log has ended (cancelled)
      throw err;
    }
    if (!(await tasks.markRunning(row.id, attempt))) return;

    // One signal for everything that stops this attempt: cancel (BullMQ aborts the job's
    // signal) or losing the lease (an append is refused).
    const controller = new AbortController();
    jobSignal?.addEventListener('abort', () => controller.abort(), { once: true });
    const limitMs = deps.timeLimitsMs[stage.providerKind];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limitMs);
    const startedAt = row.startedAt ?? new Date();
    const tokens = createTokenBatcher(
      async (delta) => {
        await eventLog.append(ref, lease, [{ type: 'token', delta }], by());
      },
      () => controller.abort(),
    );

    try {
      const project = await deps.projects.get(row.ownerId, row.projectId);
      const outputs: DependencyOutputs = {};
      for (const dep of [...stage.dependsOn, ...(stage.reads ?? [])]) {
        const output = await tasks.newestCompletedOutput(row.projectId, dep);
        if (output) outputs[dep] = output;
      }
      const result: StageResult = await stage.run({
        input: JSON.parse(row.input),
        project,
        outputs,
        providers,
        model: stageModel,
        media: deps.media,
        signal: controller.signal,
        token: (delta) => tokens.push(delta),
        progress: async (update) => {
          try {
            await tokens.flush();
            await eventLog.append(ref, lease, [{ type: 'progress', ...update, progress: Math.max(0, Math.min(100, Math.round(update.progress))) }], by());
          } catch (err) {
            controller.abort(); // the lease is gone: stop the provider calls too
            throw err;
          }
        },
      });
      await tokens.flush();
      if (!(await tasks.complete(row.id, attempt, { ...result, ...by() }, startedAt))) return;
      const completed = (await tasks.find(row.id))!;
      await closeLog(deps, completed, lease, by());
      await deps.pipeline.advance(completed);
    } catch (caught) {
      await tokens.flush().catch(() => {});
      const err = timedOut ? new ProviderError('TIME_LIMIT', `The attempt took longer than its time limit of ${Math.round(limitMs / 1000)} s.`, false) : caught;
      if (!timedOut && (err instanceof LeaseLostError || err instanceof AbortedError || controller.signal.aborted)) {
        return; // cancelled or taken over: whoever ended or took the task writes its events
      }
      const info = describeFailure(err);
      if (info.code === 'INTERNAL_SERVER_ERROR') deps.log(`task ${row.id} attempt ${attempt} failed`, err);
      const attempts = job.opts.attempts ?? 1;
      const willRetry = info.retryable && job.attemptsMade + 1 < attempts;
      if (willRetry) {
        // Exponential with ±20% jitter, so retries of many tasks do not arrive together; never
        // sooner than the provider's retry-after.
        const backoff = deps.retryBackoffMs * 2 ** job.attemptsMade * (0.8 + Math.random() * 0.4);
        const retryInMs = Math.round(Math.max(backoff, err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0));
        if (await tasks.markRetrying(row.id, attempt, info)) {
          await eventLog.append(ref, lease, [
            { type: 'failed', error: info, willRetry: true, retryInMs },
            { type: 'status', status: 'RETRYING', message: info.message },
          ], by());
        }
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { retryInMs }); // BullMQ waits retryInMs
      }
      if (await tasks.end(row.id, 'FAILED', attempt, { error: info, message: info.message })) {
        const failed = (await tasks.find(row.id))!;
        await closeLog(deps, failed, lease, by());
        await deps.pipeline.advance(failed);
      }
      throw new UnrecoverableError(info.message);
    } finally {
      clearTimeout(timer);
    }
  };
}
