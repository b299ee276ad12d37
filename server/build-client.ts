// `npm start` serves the client; build it first when it has never been built.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from './logger.ts';

export async function ensureClientBuilt(clientDir: string, log: Log): Promise<void> {
  if (existsSync(join(clientDir, 'index.html'))) return;
  if (!existsSync('client/vite.config.ts')) return;
  log('building the web client (first start)…');
  await new Promise<void>((ok, fail) => {
    const child = spawn('npm', ['run', '--silent', 'build:client'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`client build exited with ${code}`))));
  }).catch((err) => log('the client build failed; serving the API only', err));
}
