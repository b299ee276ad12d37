// Our server as the bench runs it: the real composition root (createApp) in a process of
// its own, configured from an environment exactly as `npm start` is. The process hosts one
// app at a time and starts the next on request: the server's modules load once (seconds
// under tsx), not once per configuration. It also answers for its memory and CPU profile.
import { createApp, type App } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { serveParent } from '../lib/ipc.ts';
import { profiler } from './profiler.ts';

let app: App | null = null;
// Quiet but for failures: the bench's output is its table.
const log = (msg: string, err?: unknown) => {
  if (err !== undefined) process.stderr.write(`[app] ${msg}: ${err instanceof Error ? err.message : String(err)}\n`);
};

serveParent(
  { pid: process.pid },
  {
    async start(a) {
      if (app) throw new Error('an app is already running');
      const config = parseConfig(a.env as Record<string, string>, []);
      const next = await createApp(config, { log });
      await next.start();
      app = next;
      // `localhost` may resolve to ::1 first; the bench's apps listen on 127.0.0.1.
      return { url: app.url.replace('//localhost:', '//127.0.0.1:') };
    },
    async stopApp() {
      const current = app;
      app = null;
      await current?.stop();
    },
    memory: () => profiler.memory(),
    profileStart: (a) => profiler.start(a.kind === 'heap' ? 'heap' : 'cpu'),
    profileStop: (a) => profiler.stop(a.file as string),
  },
  async () => {
    await app?.stop();
  },
);
