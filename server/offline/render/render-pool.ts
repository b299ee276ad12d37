// Scene images are drawn in worker threads, as many as the machine has cores. Drawing one is
// 150-300 ms of pure CPU: on the main thread it would stall every stream, the API and the
// worker's other tasks for that long, once per scene.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SceneBrief, SceneImageSize } from '../../providers/scene.ts';
import { AbortedError } from '../../providers/provider-error.ts';
import type { RenderJob, RenderReply } from './render-worker.ts';

export interface RenderPoolOptions {
  /** Worker threads at most. @default the number of cores (os.availableParallelism()) */
  threads?: number;
  /** An idle thread is ended after this long (the next image starts a new one). @default 30000 */
  idleMs?: number;
}

interface Pending {
  job: RenderJob;
  signal: AbortSignal;
  resolve: (png: Buffer) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  busy: Pending | null;
  idleTimer: NodeJS.Timeout | null;
}

// The worker is TypeScript: its entry registers tsx in the thread, as the server does for itself.
const WORKER_URL = new URL('./render-worker-entry.mjs', import.meta.url);

export function createRenderPool(opts: RenderPoolOptions = {}) {
  const max = Math.max(1, opts.threads ?? availableParallelism());
  const idleMs = opts.idleMs ?? 30_000;
  const threads = new Set<Thread>();
  const queue: Pending[] = [];
  let nextId = 1;

  const retire = (thread: Thread) => {
    threads.delete(thread);
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    void thread.worker.terminate();
  };

  const spawnThread = (): Thread => {
    const thread: Thread = { worker: new Worker(WORKER_URL), busy: null, idleTimer: null };
    // Threads never keep the process alive: a finished server exits with renders idle.
    thread.worker.unref();
    thread.worker.on('message', (reply: RenderReply) => {
      const done = thread.busy;
      thread.busy = null;
      if (done && done.job.id === reply.id) {
        if ('png' in reply) done.resolve(Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength));
        else done.reject(new Error(`the scene could not be drawn: ${reply.error}`));
      }
      pump();
    });
    thread.worker.on('error', (err) => {
      thread.busy?.reject(err);
      thread.busy = null;
      retire(thread);
      pump();
    });
    threads.add(thread);
    return thread;
  };

  const pump = () => {
    while (queue.length > 0) {
      const next = queue[0]!;
      if (next.signal.aborted) {
        queue.shift();
        next.reject(new AbortedError());
        continue;
      }
      let thread = [...threads].find((t) => !t.busy);
      if (!thread && threads.size < max) thread = spawnThread();
      if (!thread) return;
      queue.shift();
      if (thread.idleTimer) clearTimeout(thread.idleTimer);
      thread.idleTimer = null;
      thread.busy = next;
      thread.worker.postMessage(next.job);
    }
    for (const thread of threads) {
      if (!thread.busy && !thread.idleTimer) {
        thread.idleTimer = setTimeout(() => retire(thread), idleMs);
        thread.idleTimer.unref();
      }
    }
  };

  return {
    /** The scene's PNG, drawn off the main thread. A render already under way runs to its end; an aborted caller just stops waiting. */
    render(scene: SceneBrief, size: SceneImageSize, signal: AbortSignal): Promise<Buffer> {
      if (signal.aborted) return Promise.reject(new AbortedError());
      return new Promise((resolve, reject) => {
        const pending: Pending = { job: { id: nextId++, scene, size }, signal, resolve, reject };
        signal.addEventListener('abort', () => reject(new AbortedError()), { once: true });
        queue.push(pending);
        pump();
      });
    },
    async close() {
      queue.splice(0).forEach((p) => p.reject(new AbortedError()));
      await Promise.all([...threads].map(async (t) => retire(t)));
    },
  };
}

export type RenderPool = ReturnType<typeof createRenderPool>;
