// GET /metrics (Prometheus text), guarded: on the API port only with METRICS_TOKEN as a
// bearer token (unset: the path does not exist); on METRICS_PORT, a listener of its own
// that serves nothing else but /health and /ready, for every role (a worker has no other port).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bearerToken } from '../auth/tokens.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createReadyRoute } from './http-server.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries `token` as its bearer token (compared in constant time). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const sent = bearerToken(req.headers.authorization);
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

const notFound = (res: ServerResponse) => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');

/**
 * The /metrics handler. `token` undefined and `open` false: 404, as for any unknown path;
 * `token` set: 401 without it. `open`: no token asked (the metrics port when no token is set).
 */
export function createMetricsRoute(deps: { metrics: Metrics; token: string | undefined; open?: boolean }) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (pathname !== '/metrics' || (!deps.token && !deps.open)) {
      notFound(res);
      return;
    }
    if (deps.token && !hasBearer(req, deps.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = await deps.metrics.scrape();
    res.writeHead(200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
  };
}

/** The metrics port: /metrics (the token asked when set), /health and /ready; everything else 404. */
export async function startMetricsServer(deps: {
  port: number;
  host: string;
  metrics: Metrics;
  token: string | undefined;
  /** The process's readiness checks (read at each request, so checks added later count). */
  readiness: Record<string, () => Promise<unknown>>;
  log: (msg: string, err?: unknown) => void;
}) {
  const route = createMetricsRoute({ metrics: deps.metrics, token: deps.token, open: true });
  const ready = createReadyRoute(deps.readiness);
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    res.setHeader('x-content-type-options', 'nosniff');
    if (pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"up"}');
      return;
    }
    (pathname === '/ready' ? ready(res) : route(req, res, pathname)).catch((err) => {
      deps.log('metrics scrape failed', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(deps.port, deps.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : deps.port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
