// Private Redis and PostgreSQL servers on free ports, for tests that stop and restart them
// mid-run. Each lives in a temporary directory and is removed by its `destroy`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: with AOF its data is kept). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const exited = (p: ChildProcess) => new Promise<void>((ok) => (p.exitCode !== null || p.signalCode !== null ? ok() : p.once('exit', () => ok())));

export async function startPrivateRedis(opts: { aof: boolean }): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sp-redis-'));
  let proc: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction'];
  if (opts.aof) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  const ping = () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      proc = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(ping, { what: `redis-server on ${port}`, timeoutMs: 10_000 });
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = null;
      p.kill('SIGTERM');
      await exited(p);
    },
    async destroy() {
      if (proc) {
        proc.kill('SIGKILL');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

export interface PrivatePostgres {
  /** postgres://… of a database `test` on this server. */
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort().at(-1);
  const path = join(root, version ?? '', 'bin', name);
  if (!existsSync(path)) throw new Error(`${name} not found under ${root}`);
  return path;
}

/** PostgreSQL refuses to run as root: its tools run as the `postgres` user when we are root. */
function asPostgres(command: string, args: string[]) {
  const root = process.getuid?.() === 0;
  const result = spawnSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

export async function startPrivatePostgres(opts: { port?: number; started?: boolean } = {}): Promise<PrivatePostgres> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sp-pg-'));
  spawnSync('chown', ['postgres:postgres', dir]);
  asPostgres(pgBin('initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  let running = false;
  let created = false;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    port,
    async start() {
      asPostgres(pgBin('pg_ctl'), ['-D', dir, '-w', '-l', join(dir, 'log.txt'), '-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off`, 'start']);
      running = true;
      if (!created) asPostgres(pgBin('createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'test']);
      created = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      asPostgres(pgBin('pg_ctl'), ['-D', dir, '-w', '-m', 'fast', 'stop']);
    },
    async destroy() {
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // The database exists before anyone can connect: a server that answers without it would
  // race the test's first connection against `createdb`.
  await pg.start();
  if (opts.started === false) await pg.stop();
  return pg;
}
