// What the runner asks of a server process: its memory after a full GC (the process runs
// with --expose-gc), and a CPU profile of a chosen window (.cpuprofile) or a sampling heap
// profile of what a window allocated and kept (.heapprofile); Chrome DevTools and
// `tsx bench/profile-top.ts` read both.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

let session: Session | null = null;

export const profiler = {
  async memory() {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run the server with --expose-gc');
    // Until RSS settles: V8 returns freed pages to the system a little after a GC, so one
    // reading right after it may still hold memory the next one no longer has.
    let last = Infinity;
    for (let i = 0; i < 20; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      const { rss } = process.memoryUsage();
      if (Math.abs(rss - last) < 256 * 1024) break;
      last = rss;
    }
    return process.memoryUsage();
  },
  async start(kind: 'cpu' | 'heap' = 'cpu') {
    session = new Session();
    session.connect();
    if (kind === 'heap') {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', { samplingInterval: 4096 });
      return;
    }
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  },
  async stop(file: string) {
    if (!session) return;
    const { profile } = file.endsWith('.heapprofile') ? await session.post('HeapProfiler.stopSampling') : await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    session = null;
  },
};
