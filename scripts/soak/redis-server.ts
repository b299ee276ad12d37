// A private redis-server for the soak: its own port and folder, the append-only file on
// (fsync every second), so a restart reloads what it had. `restart` is the fault: SIGTERM
// (Redis writes its AOF and exits), a pause, then the same port and folder again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sleep } from './settings.ts';

export interface PrivateRedis {
  readonly url: string;
  /** Stops it (SIGTERM), waits `downMs`, starts it again; resolves when it answers. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL, at once: for a run that is being abandoned. */
  kill(): void;
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    // A Redis still loading its AOF answers LOADING: not ready yet.
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const exited = (p: ChildProcess) => new Promise<void>((ok) => (p.exitCode !== null || p.signalCode !== null ? ok() : p.once('exit', () => ok())));

export async function startPrivateRedis(port: number, dir: string): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  const url = `redis://127.0.0.1:${port}`;
  const log = openSync(join(dir, 'redis.log'), 'a');
  let child: ChildProcess;

  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', log, log] },
    );
    const deadline = Date.now() + 20_000;
    while (!(await answers(url))) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}; see ${join(dir, 'redis.log')}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within 20 s`);
      await sleep(50);
    }
  };
  const stop = async () => {
    // This process only: `child` is the next one's after a restart.
    const running = child;
    const done = exited(running);
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    async restart(downMs) {
      await stop();
      await sleep(downMs);
      await start();
    },
    stop,
    kill: () => void child.kill('SIGKILL'),
  };
}
