// `npm start` serves the client; build it first when it was never built or its sources
// changed since the last build.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from './logger.ts';

function newestChange(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'gql') newest = Math.max(newest, newestChange([join(path, entry)]));
    } else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

export async function ensureClientBuilt(clientDir: string, log: Log): Promise<void> {
  if (!existsSync('client/vite.config.ts')) return;
  const built = join(clientDir, 'index.html');
  const sources = newestChange(['client/src', 'client/index.html', 'client/vite.config.ts', 'schema.graphql']);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log('building the web client…');
  await new Promise<void>((ok, fail) => {
    const child = spawn('npm', ['run', '--silent', 'build:client'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`client build exited with ${code}`))));
  }).catch((err) => log('the client build failed; serving the API only', err));
}
