// Metrics: one registry per app (two apps in one process never collide); provider calls
// counted by outcome and error class; the queue's depth read when scraped.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/observability/metrics.ts';
import { errorClassOf, instrumentProvider } from '../../server/observability/provider-metrics.ts';
import { AbortedError, ProviderError } from '../../server/providers/provider-error.ts';
import { metricValue, parseMetrics } from '../helpers/prometheus.ts';

describe('metrics', () => {
  it('gives each app a registry of its own, labelled with its role', async () => {
    const a = createMetrics({ role: 'api', defaults: false });
    const b = createMetrics({ role: 'worker', defaults: false });
    a.taskFinished('REWRITE', 'COMPLETED', 2);
    const sa = parseMetrics(await a.scrape());
    const sb = parseMetrics(await b.scrape());
    expect(metricValue(sa, 'sp_tasks_finished_total', { role: 'api', stage: 'REWRITE', status: 'COMPLETED' })).toBe(1);
    expect(metricValue(sa, 'sp_task_duration_seconds_sum', { stage: 'REWRITE' })).toBe(2);
    expect(metricValue(sb, 'sp_tasks_finished_total')).toBe(0);
  });

  it('reads the queue depth when scraped, and leaves it out when Redis does not answer', async () => {
    const m = createMetrics({ role: 'all', defaults: false });
    let counts: Record<string, number> | null = { waiting: 3, active: 1 };
    m.observeQueue(async () => {
      if (!counts) throw new Error('ECONNREFUSED');
      return counts;
    });
    expect(metricValue(parseMetrics(await m.scrape()), 'sp_queue_jobs', { state: 'waiting' })).toBe(3);
    counts = null;
    expect(metricValue(parseMetrics(await m.scrape()), 'sp_queue_jobs')).toBe(0);
  });

  it('counts provider calls by outcome and failures by class, streams included', async () => {
    const m = createMetrics({ role: 'worker', defaults: false });
    class Painter {
      readonly name = 'painter';
      readonly model = 'p-1';
      #fail: Error | null = null;
      failWith(err: Error) {
        this.#fail = err;
      }
      async generate(): Promise<string> {
        if (this.#fail) throw this.#fail;
        return 'png';
      }
    }
    const raw = new Painter();
    const painter = instrumentProvider(raw, 'image', m);
    expect(painter.name).toBe('painter');
    expect(await painter.generate()).toBe('png');
    raw.failWith(new ProviderError('PROVIDER_RATE_LIMITED', 'busy', true));
    await expect(painter.generate()).rejects.toThrow('busy');
    raw.failWith(new AbortedError());
    await expect(painter.generate()).rejects.toThrow();

    const writer = instrumentProvider(
      {
        name: 'writer',
        model: 'w-1',
        async *stream() {
          yield { delta: 'a' };
          throw new ProviderError('PROVIDER_STREAM_ERROR', 'cut', true);
        },
      },
      'text',
      m,
    );
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of writer.stream()) seen.push(chunk);
      })(),
    ).rejects.toThrow('cut');
    expect(seen).toEqual([{ delta: 'a' }]);

    const s = parseMetrics(await m.scrape());
    expect(metricValue(s, 'sp_provider_calls_total', { kind: 'image', provider: 'painter', outcome: 'ok' })).toBe(1);
    expect(metricValue(s, 'sp_provider_calls_total', { kind: 'image', provider: 'painter', outcome: 'error' })).toBe(2);
    expect(metricValue(s, 'sp_provider_errors_total', { class: 'PROVIDER_RATE_LIMITED' })).toBe(1);
    expect(metricValue(s, 'sp_provider_errors_total', { class: 'aborted' })).toBe(1);
    expect(metricValue(s, 'sp_provider_errors_total', { kind: 'text', provider: 'writer', class: 'PROVIDER_STREAM_ERROR' })).toBe(1);
    expect(errorClassOf(new Error('x'))).toBe('other');
  });

  it('collects the process defaults, event-loop lag included', async () => {
    const s = parseMetrics(await createMetrics({ role: 'api' }).scrape());
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(s.some((x) => x.name === name)).toBe(true);
    }
  });
});
