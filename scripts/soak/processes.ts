// The service as it is deployed: each API and worker a process of its own, started exactly
// as `npm run start:api` / `start:worker` (node --import tsx server/main.ts --role=…), its
// output in a log file of the run's folder. One process each (no npm or shell between), so
// a SIGKILL hits the server itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './settings.ts';

export interface ServerProcess {
  readonly name: string;
  readonly role: 'api' | 'worker';
  /** `http://127.0.0.1:PORT` for an API. */
  readonly url: string | null;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves when it answers /ready (API) or logs that its worker runs. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends a signal (an expected end, e.g. the soak's SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  /** How it ended when it ended by itself (not by `stop` or a signal the soak sent); null while it runs. */
  unexpectedExit(): string | null;
  /** The last lines of its log. */
  tail(lines: number): string[];
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once('exit', () => ok())));
}

export function startServer(opts: { name: string; role: 'api' | 'worker'; port?: number; env: Record<string, string>; dir: string }): ServerProcess {
  const logFile = join(opts.dir, `${opts.name}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', `--role=${opts.role}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env, PORT: String(opts.port ?? 0) },
    stdio: ['ignore', out, out],
  });
  const url = opts.role === 'api' ? `http://127.0.0.1:${opts.port}` : null;
  let signalled = false;
  let ended: string | null = null;
  child.once('exit', (code, signal) => {
    if (!signalled) ended = `exited by itself at ${new Date().toISOString()} (code ${code}, signal ${signal})`;
  });
  // Signals the soak sends are expected ends; the process's own exits are not.
  const kill = (signal: NodeJS.Signals) => {
    signalled = true;
    child.kill(signal);
  };

  async function isReady(): Promise<boolean> {
    if (url) {
      try {
        return (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    }
    return readFileSync(logFile, 'utf8').includes('worker running');
  }

  return {
    name: opts.name,
    role: opts.role,
    url,
    logFile,
    child,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await isReady())) {
        if (child.exitCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode} before it was ready; see ${logFile}`);
        if (Date.now() > deadline) throw new Error(`${opts.name} was not ready within ${timeoutMs} ms; see ${logFile}`);
        await sleep(100);
      }
    },
    async stop(graceMs = 15_000) {
      const done = exitOf(child);
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    kill,
    unexpectedExit: () => ended,
    tail(lines) {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
    },
  };
}
