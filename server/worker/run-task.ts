// Runs one attempt of a task: take the lease, run the stage, stream its events, record the
// outcome through the lifecycle. Everything the attempt writes is fenced by the lease (Redis)
// and the attempt number (database), so a worker that lost its job can neither append nor finish.
import { UnrecoverableError, type Job } from 'bullmq';
import { AppError, outageOf } from '../errors.ts';
import { LeaseLostError, type EventLog, type Producer } from '../events/event-log.ts';
import { refOf } from '../events/close-log.ts';
import { attemptLease } from '../events/lease.ts';
import { childLog, type Log } from '../logger.ts';
import type { TaskMediaStore } from '../media/task-media.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ProjectService } from '../projects/project-service.ts';
import { AbortedError, ProviderError } from '../providers/provider-error.ts';
import type { Providers } from '../providers/providers.ts';
import type { TaskJobData } from '../queue/task-queue.ts';
import { isFinished, type StageName } from '../stages/names.ts';
import type { TaskErrorInfo } from '../stages/outputs.ts';
import type { StageRegistry } from '../stages/registry.ts';
import { runRefine } from '../stages/refine.ts';
import type { StageDefinition, StageResult, StageRunContext } from '../stages/stage.ts';
import type { AttemptActor, Lifecycle } from '../tasks/lifecycle.ts';
import type { StageCache } from '../tasks/cache.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { VersionStore } from '../tasks/version-store.ts';
import { prepareRun } from './prepare-run.ts';
import { createAppender } from './appender.ts';
import { createTokenBatcher } from './token-batcher.ts';
import type { StageHistory } from '../observability/stage-history.ts';
import type { TaskRates } from '../events/task-rate.ts';
import type { ProgressUpdate } from '../stages/stage.ts';
import { createTextMeter } from './text-meter.ts';

export interface RunTaskDeps {
  eventLog: EventLog;
  tasks: TaskStore;
  lifecycle: Lifecycle;
  projects: ProjectService;
  registry: StageRegistry;
  /** The providers to use for an attempt (records are re-read each time). */
  resolveProviders: () => Promise<Providers>;
  /** Scoped to each task, so what a failed or cancelled task stored is deleted with it. */
  media: TaskMediaStore;
  stageModels: Partial<Record<StageName, string>>;
  timeLimitsMs: Record<StageDefinition['providerKind'], number>;
  retryBackoffMs: number;
  /** How long an attempt waits for an unreachable Redis or database before it fails (retryable). */
  outageToleranceMs: number;
  log: Log;
  /** Counts attempts (first, retry, takeover), retries and the time to the first token. */
  metrics?: Metrics;
  /** Recent runs of each stage: text stages estimate their length from them; every completion adds one. */
  history: StageHistory;
  /** Where each progress event's speed and ETA are kept for Task.tokensPerSecond / Task.etaSeconds. */
  rates: TaskRates;
  versions: VersionStore;
  cache: StageCache;
}

/** What the user sees of a failure: provider errors as they are, anything else masked. */
export function describeFailure(err: unknown): TaskErrorInfo {
  if (err instanceof ProviderError) return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof AppError) return { code: err.code, message: err.message, retryable: false };
  // Redis or database hiccups are transient: another attempt may well succeed.
  if (outageOf(err)) return { code: 'SERVICE_UNAVAILABLE', message: 'A backing service was briefly unreachable.', retryable: true };
  return { code: 'INTERNAL_SERVER_ERROR', message: 'The stage failed unexpectedly.', retryable: false };
}

type StopReason = { why: 'cancelled' } | { why: 'time limit' } | { why: 'log'; error: unknown };

export function createRunTask(deps: RunTaskDeps) {
  const { eventLog, tasks, lifecycle } = deps;

  return async function runTask(job: Job<TaskJobData>, token: string | undefined, jobSignal?: AbortSignal): Promise<void> {
    const lease = attemptLease(token ?? `job:${job.id}`);
    const row = await tasks.find(job.data.taskId);
    if (!row || isFinished(row.status)) return; // cancelled before it ran, or already done
    const ref = refOf(row);
    const stage = deps.registry.get(row.stage as StageName);
    if (!stage) throw new UnrecoverableError(`unknown stage ${row.stage}`);

    await eventLog.init(ref); // no-op unless the API died before writing it
    const providers = await deps.resolveProviders();
    // FILM calls no model: its producer (ffmpeg) is named instead.
    const used = stage.producer ?? providers[stage.providerKind as Exclude<typeof stage.providerKind, 'film'>];
    const stageModel = deps.stageModels[stage.name];
    // A failover may switch provider mid-attempt; the offline provider has its own model.
    const by = (): Producer => ({ provider: used.name, model: used.name === 'offline' ? used.model : (stageModel ?? used.model) });
    const attempt = await lifecycle.start(row, lease, by());
    if (attempt === null) return;
    const actor = (): AttemptActor => ({ lease, attempt, by: by() });
    // Every line of this attempt names the task and the attempt. A takeover: the attempt before
    // died or lost its job (BullMQ counted no failure for it), unlike a retry.
    const log = childLog(deps.log, { taskId: row.id, stage: row.stage, attempt });
    const kind = attempt === 1 ? 'first' : attempt > job.attemptsMade + 1 ? 'takeover' : 'retry';
    deps.metrics?.attemptStarted(row.stage, kind);
    log(`attempt started (${kind})`);
    const attemptStartedAt = Date.now();
    let firstToken = true;

    // One signal for everything that stops this attempt, and why it stopped: a cancel (BullMQ
    // aborts the job's signal), the time limit, or the log refusing a write (the lease went to
    // another worker, the task ended, the log was lost, or Redis stayed away too long).
    const controller = new AbortController();
    const state: { stopped: StopReason | null } = { stopped: null };
    const stop = (reason: StopReason) => {
      state.stopped ??= reason;
      controller.abort();
    };
    jobSignal?.addEventListener('abort', () => stop({ why: 'cancelled' }), { once: true });
    const limitMs = deps.timeLimitsMs[stage.providerKind];
    const timer = setTimeout(() => stop({ why: 'time limit' }), limitMs);
    const startedAt = row.startedAt ?? new Date();
    const append = createAppender({
      eventLog,
      ref,
      lease,
      by,
      outageToleranceMs: deps.outageToleranceMs,
      signal: controller.signal,
      onOutage: () => log(`task ${row.id} attempt ${attempt}: Redis unreachable, holding its events until it answers`),
    });
    const tokens = createTokenBatcher(
      async (delta) => {
        await append([{ type: 'token', delta }]);
      },
      (error) => stop({ why: 'log', error }),
    );

    // Every progress event goes out after the text before it; its speed and ETA are kept for Task.etaSeconds.
    const report = async (update: ProgressUpdate) => {
      await tokens.flush();
      const progress = Math.max(0, Math.min(100, Math.round(update.progress)));
      await append([{ type: 'progress', ...update, progress }]);
      if (update.etaSeconds !== undefined || update.tokensPerSecond !== undefined) {
        await deps.rates.set(row.id, { tokensPerSecond: update.tokensPerSecond ?? null, etaSeconds: update.etaSeconds ?? null, progress, at: Date.now() });
      }
    };
    const meter = createTextMeter({
      history: (info) => deps.history.textSamples({ stage: stage.name, ...by(), language: info.language }),
      emit: report,
      onError: (error) => stop({ why: 'log', error }),
    });

    try {
      const project = await deps.projects.get(row.ownerId, row.projectId);
      // What it reads, what it was made from, and whether the cache already holds its output.
      const plan = await prepareRun({ versions: deps.versions, cache: deps.cache }, row, stage, project, by());
      if (plan.cached) {
        await lifecycle.finish(row, { status: 'COMPLETED', result: { output: plan.cached, cached: true, ...plan.origin }, startedAt }, actor());
        log('attempt completed from the cache');
        return;
      }
      const ctx: StageRunContext<unknown> = {
        input: JSON.parse(row.input),
        project,
        outputs: plan.outputs,
        earlier: plan.earlier,
        providers,
        model: stageModel,
        media: deps.media.forTask(row.id),
        signal: controller.signal,
        token: (delta) => {
          if (firstToken) deps.metrics?.firstToken(row.stage, (Date.now() - attemptStartedAt) / 1000);
          firstToken = false;
          meter.token(delta);
          tokens.push(delta);
        },
        textStarted: (info) => meter.started(info),
        progress: async (update) => {
          try {
            await report(update);
          } catch (error) {
            stop({ why: 'log', error }); // stop the provider calls too
            throw error;
          }
        },
      };
      const result: StageResult = plan.refine ? await runRefine(ctx, plan.refine) : await stage.run(ctx);
      await tokens.flush();
      const text = meter.finish();
      if (text.tokensPerSecond !== null) result.tokensPerSecond = text.tokensPerSecond;
      const ended = await lifecycle.finish(row, { status: 'COMPLETED', result: { ...result, ...plan.origin }, startedAt }, actor());
      log('attempt completed', undefined, { ms: Date.now() - attemptStartedAt });
      if (ended?.status === 'COMPLETED') {
        // What later estimates learn from; losing a sample costs nothing but accuracy. A stage
        // lasts from its job's enqueueing (its dependencies done) to now: the queue's wait counts too.
        const ms = Date.now() - Math.min(attemptStartedAt, job.timestamp || attemptStartedAt);
        await deps.history.recordDuration(stage.name, ms).catch(() => {});
        if (text.info && text.tokensPerSecond !== null && text.firstTokenMs !== null) {
          const sample = { inputChars: text.info.inputChars, outputTokens: text.tokens, tokensPerSecond: text.tokensPerSecond, firstTokenMs: text.firstTokenMs };
          await deps.history.recordText({ stage: stage.name, ...by(), language: text.info.language }, sample).catch(() => {});
        }
      }
    } catch (caught) {
      await tokens.flush().catch(() => {});
      const reason = state.stopped;
      if (reason?.why === 'cancelled') return; // whoever cancelled wrote its events
      const logError = reason?.why === 'log' ? reason.error : caught instanceof LeaseLostError ? caught : null;
      if (logError instanceof LeaseLostError && logError.reason !== 'missing') return; // taken over, or ended elsewhere
      let err: unknown = caught;
      if (reason?.why === 'time limit') err = new ProviderError('TIME_LIMIT', `The attempt took longer than its time limit of ${Math.round(limitMs / 1000)} s.`, false);
      else if (logError instanceof LeaseLostError) err = new ProviderError('LOG_LOST', "The task's live log was lost (Redis restarted without its data); run the stage again.", false);
      else if (logError) err = logError; // Redis stayed away longer than the attempt can wait
      else if (caught instanceof AbortedError) return;
      const info = describeFailure(err);
      if (info.code === 'INTERNAL_SERVER_ERROR') log(`task ${row.id} attempt ${attempt} failed`, err);
      if (err instanceof ProviderError && err.detail) log(`task ${row.id} attempt ${attempt} provider ${used.name}: ${err.code}: ${err.detail}`);
      const attempts = job.opts.attempts ?? 1;
      if (info.retryable && job.attemptsMade + 1 < attempts) {
        // Exponential with ±20% jitter, so retries of many tasks do not arrive together; never
        // sooner than the provider's retry-after.
        const backoff = deps.retryBackoffMs * 2 ** job.attemptsMade * (0.8 + Math.random() * 0.4);
        const retryInMs = Math.round(Math.max(backoff, err instanceof ProviderError ? (err.retryAfterMs ?? 0) : 0));
        await lifecycle.retry(row, actor(), info, retryInMs);
        deps.metrics?.retryScheduled(row.stage);
        log(`attempt failed (${info.code}); retry in ${retryInMs} ms`);
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { retryInMs }); // BullMQ waits retryInMs
      }
      await lifecycle.finish(row, { status: 'FAILED', error: info }, actor());
      log(`attempt failed (${info.code})`);
      throw new UnrecoverableError(info.message);
    } finally {
      meter.finish();
      clearTimeout(timer);
    }
  };
}
