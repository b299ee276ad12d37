// Entry point: parse the config, start the app, stop it cleanly on SIGINT/SIGTERM.
import { createApp } from './app.ts';
import { ConfigError, parseConfig } from './config.ts';
import { createLogger } from './logger.ts';

const log = createLogger('main');
let config;
try {
  config = parseConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    log(`configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

const app = await createApp(config, { log: createLogger(config.role) });
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  await app.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
await app.start();
