// The bench's processes talk over Node's IPC channel: a child announces itself with
// `{ type: 'ready', hello }`, then answers `{ id, op, ...args }` requests one by one.
// Servers and subscribers each get a process of their own, so the load generator never
// shares an event loop with what it measures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type Handler = (args: Record<string, unknown>) => unknown;

export interface ChildHandle<Hello> {
  hello: Hello;
  pid: number;
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** Asks the child to stop, then kills it if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

const live = new Set<{ kill(): void }>();

/** Kills every child still running (on an error in the runner). */
export function killChildren(): void {
  for (const c of live) c.kill();
}

export async function startChild<Hello>(entry: URL, opts: { env?: NodeJS.ProcessEnv; execArgv?: string[]; readyTimeoutMs?: number } = {}): Promise<ChildHandle<Hello>> {
  const name = fileURLToPath(entry);
  const child = fork(name, [], {
    env: opts.env ?? process.env,
    execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const entryRef = { kill: () => child.kill('SIGKILL') };
  live.add(entryRef);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(entryRef), resolve())));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;

  const hello = await new Promise<Hello>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${opts.readyTimeoutMs ?? 60_000} ms`)), opts.readyTimeoutMs ?? 60_000);
    child.on('message', (m: { type?: string; hello?: Hello } & Partial<Reply>) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.hello as Hello);
        return;
      }
      const p = m.id !== undefined ? pending.get(m.id) : undefined;
      if (!p) return;
      pending.delete(m.id!);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${(m as { error: string }).error}`));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready`));
      for (const p of pending.values()) p.reject(new Error(`${name} exited`));
      pending.clear();
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });

  return {
    hello,
    pid: child.pid!,
    call<T>(op: string, args: Record<string, unknown> = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...args, id, op });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ id: nextId++, op: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's side: announces `hello`, then serves requests; `stop` runs `onStop` and exits. Every child answers `cpu` (its CPU time so far, µs). */
export function serveParent(hello: unknown, handlers: Record<string, Handler>, onStop: () => Promise<void> = async () => {}): void {
  const send = (m: unknown) => process.send?.(m);
  process.on('message', async (m: { id: number; op: string } & Record<string, unknown>) => {
    if (m.op === 'stop') {
      await onStop().catch((err) => console.error(err));
      process.exit(0);
    }
    try {
      const handler = m.op === 'cpu' ? () => process.cpuUsage().user + process.cpuUsage().system : handlers[m.op];
      if (!handler) throw new Error(`unknown op ${m.op}`);
      send({ id: m.id, ok: true, result: await handler(m) });
    } catch (err) {
      send({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  // The runner died: nothing else would end this process.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', hello });
}
