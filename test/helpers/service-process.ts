// A server process of our own (as the image or `npm start` runs it), with its output kept
// for assertions and waits.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitFor } from './wait-for.ts';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Waits until the output contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit; SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions): ServiceProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null) resolve({ code: child.exitCode, signal: null });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    name,
    child,
    output: () => out,
    exited,
    async waitForOutput(text, timeoutMs = 60_000) {
      await waitFor(
        () => {
          if (out.includes(text)) return true;
          if (gone) throw new Error(`${name} exited before saying "${text}":\n${out.slice(-3000)}`);
          return false;
        },
        { timeoutMs, intervalMs: 50, what: `${name} to say "${text}"` },
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n--- ${name} output ---\n${out.slice(-3000)}`);
      });
    },
    async stop(timeoutMs = 20_000) {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
