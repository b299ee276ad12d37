// The raw baseline: the least a Node server can do to carry Redis pub/sub to clients.
// One ioredis SUBSCRIBE connection; `/ws?channel=C` and `/sse?channel=C` forward every
// message of channel C as it is (a WebSocket text frame, an SSE `data:` line), after a
// `ready` message once subscribed. `/ws?stream=K` replays Redis stream K (XRANGE, pages
// of 1000), the raw counterpart of replaying a task's log. No auth, no GraphQL, no seq
// checks: what our server does on top of this is what the ratios price.
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveParent } from '../lib/ipc.ts';
import { profiler } from './profiler.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const subscriber = new Redis(redisUrl);
const commands = new Redis(redisUrl);
const listeners = new Map<string, { subscribed: Promise<unknown>; fns: Set<(message: string) => void> }>();

subscriber.on('message', (channel: string, message: string) => {
  const entry = listeners.get(channel);
  if (entry) for (const fn of entry.fns) fn(message);
});

async function attach(channel: string, fn: (message: string) => void): Promise<() => void> {
  let entry = listeners.get(channel);
  if (!entry) {
    entry = { subscribed: subscriber.subscribe(channel), fns: new Set() };
    listeners.set(channel, entry);
  }
  entry.fns.add(fn);
  await entry.subscribed;
  const mine = entry;
  return () => {
    mine.fns.delete(fn);
    if (mine.fns.size === 0 && listeners.get(channel) === mine) {
      listeners.delete(channel);
      void subscriber.unsubscribe(channel);
    }
  };
}

async function replay(ws: WebSocket, key: string) {
  let start = '-';
  for (;;) {
    const page = await commands.xrange(key, start, '+', 'COUNT', 1000);
    for (const [, fields] of page) ws.send(fields[1]);
    if (page.length < 1000) return;
    start = `(${page[page.length - 1][0]}`;
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://raw');
  const channel = url.searchParams.get('channel');
  if (url.pathname !== '/sse' || !channel) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const detach = await attach(channel, (m) => res.write(`data: ${m}\n\n`));
  res.write('event: ready\ndata: {}\n\n');
  req.socket.once('close', detach);
});

const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', async (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://raw');
  const channel = url.searchParams.get('channel');
  const stream = url.searchParams.get('stream');
  if (stream) return replay(ws, stream);
  if (!channel) return ws.close(1008);
  const detach = await attach(channel, (m) => ws.send(m));
  ws.once('close', detach);
  ws.send('{"ready":true}');
});

await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const { port } = server.address() as { port: number };

serveParent(
  { url: `http://127.0.0.1:${port}` },
  { memory: () => profiler.memory(), profileStart: (a) => profiler.start(a.kind === 'heap' ? 'heap' : 'cpu'), profileStop: (a) => profiler.stop(a.file as string) },
  async () => {
    wss.close();
    server.close();
    subscriber.disconnect();
    commands.disconnect();
  },
);
