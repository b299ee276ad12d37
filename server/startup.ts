// Start-up waits for the database instead of dying: an orchestrator may start us first, and a
// database restarting during a deploy is no reason to crash-loop. Meanwhile the process says
// what it waits for, in its log and (when it serves the API on a fixed port) on /ready.
import type { MikroORM } from '@mikro-orm/core';
import { startStandIn } from './api/stand-in.ts';
import type { Config } from './config.ts';
import { initORM } from './db/orm.ts';
import { outageOf } from './errors.ts';
import type { Log } from './logger.ts';

const isUnreachable = (err: unknown) => outageOf(err) === 'the database' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|starting up|shutting down/i.test(String((err as Error)?.message));

export async function connectDatabase(config: Config, opts: { log: Log; standIn: boolean }): Promise<MikroORM> {
  let standIn: { close(): Promise<void> } | null = null;
  try {
    for (let attempt = 1, wait = 500; ; attempt++, wait = Math.min(wait * 2, 5000)) {
      try {
        return await initORM(config.databaseUrl);
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        if (attempt === 1) {
          opts.log(`waiting for the database (${(err as Error).message}); retrying until it answers`);
          if (opts.standIn && config.port !== 0) standIn = await startStandIn(config.port, config.host, () => 'the database').catch(() => null);
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  } finally {
    await standIn?.close();
  }
}
