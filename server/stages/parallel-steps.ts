// Runs a stage's steps (one per scene) with a bounded number in flight, reporting each
// finished step with the time left estimated from the pace so far.
import { AbortedError } from '../providers/provider-error.ts';

export interface StepReport {
  done: number;
  total: number;
  etaSeconds: number;
}

export async function runSteps<T, R>(
  items: readonly T[],
  opts: { concurrency: number; signal: AbortSignal; onStep: (report: StepReport) => Promise<void> },
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const started = Date.now();
  let next = 0;
  let done = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      if (opts.signal.aborted) throw new AbortedError();
      const index = next++;
      try {
        results[index] = await work(items[index], index);
      } catch (err) {
        failure ??= err;
        throw err;
      }
      done += 1;
      const perStep = (Date.now() - started) / done;
      await opts.onStep({ done, total: items.length, etaSeconds: Math.round(((items.length - done) * perStep) / Math.min(opts.concurrency, items.length) / 100) / 10 });
    }
  };
  const runners = Array.from({ length: Math.min(opts.concurrency, items.length) }, worker);
  const settled = await Promise.allSettled(runners);
  if (failure) throw failure;
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return results;
}
