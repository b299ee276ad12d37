// Entry point: parse the config, start the app, stop it cleanly on SIGINT/SIGTERM.
// Run as `node --import tsx server/main.ts` (the npm scripts and the image do): one process,
// no wrapper, so a signal reaches the server itself and nothing stays behind when it exits.
import { createApp } from './app.ts';
import { ConfigError, parseConfig } from './config.ts';
import { outageOf } from './errors.ts';
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

// graphql-redis-subscriptions drops the promise of its UNSUBSCRIBE, so one refused while Redis
// is away would end the process (Node's default for an unhandled rejection). An outage is no
// reason to die; anything else still is.
process.on('unhandledRejection', (err) => {
  if (outageOf(err) === 'Redis' || /subscriber mode/.test(String((err as Error)?.message))) {
    log('a Redis command failed while Redis was unreachable (ignored)', err);
    return;
  }
  throw err;
});

const app = await createApp(config, { log: createLogger(config.role, { json: config.production }) });
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    log(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  log(`${signal}: shutting down`);
  // Running tasks get SHUTDOWN_GRACE_MS; whatever still hangs after that (a stuck connection)
  // must not keep the process alive forever.
  const limitMs = config.shutdownGraceMs + 15_000;
  setTimeout(() => {
    log(`shutdown took longer than ${limitMs} ms: exiting`);
    process.exit(1);
  }, limitMs).unref();
  await app.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
try {
  await app.start();
} catch (err) {
  log('start failed', err);
  await app.stop();
  process.exit(1);
}
