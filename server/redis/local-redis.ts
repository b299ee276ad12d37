// `npm start` must work with nothing set up: when REDIS_URL is unset and no Redis answers
// on 127.0.0.1:6379, start a redis-server of our own (and stop it with the process).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await isPortOpen(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

export async function startLocalRedis(opts: { port?: number; dir?: string; log?: (msg: string) => void } = {}): Promise<LocalRedis> {
  const port = opts.port ?? 6379;
  const dir = resolve(opts.dir ?? 'data/redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    // noeviction: BullMQ must never lose keys to eviction. AOF keeps queued work across restarts.
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const spawned = new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', (e) => fail(new Error(`cannot start redis-server (${e.message}); install Redis or set REDIS_URL`)));
  });
  await spawned;
  await waitForPort(port, child, 10_000);
  opts.log?.(`no Redis answered on 127.0.0.1:${port}; started a local redis-server (data in ${dir})`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
