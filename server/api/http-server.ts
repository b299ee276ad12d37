// The one port: GraphQL (HTTP, SSE, GraphiQL) and graphql-ws at /graphql, health and
// readiness, media, metrics and the queue dashboard (when enabled), and the client. A thin
// router in front of the transport-free parts; every answer gets the security headers, and
// request bodies are capped. Any other path is 404.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Accounts } from '../auth/accounts.ts';
import { readBody, refuseTooLarge } from './body-limit.ts';
import type { SecurityHeaders } from './security-headers.ts';
import { createStaticFiles } from './static-files.ts';
import { attachWebSocket, type WebSocketLimits } from './websocket.ts';
import type { Yoga } from './yoga.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> | void;

export interface HttpServerDeps {
  yoga: Yoga;
  accounts: Accounts;
  /** Whether a bearer token may open a WebSocket (a session's or a share link's). @default a live session's */
  validToken?: (token: string) => Promise<boolean>;
  clientDir: string;
  /** Each check resolves when its service answers. */
  readiness: Record<string, () => Promise<unknown>>;
  /** Extra routes by path prefix (media, /metrics, /admin/queues); a route answers 404 for what it does not serve. */
  routes?: Record<string, RouteHandler>;
  security: SecurityHeaders;
  /** graphql-ws limits and mode. */
  webSocket: WebSocketLimits & { production: boolean };
  log: (msg: string, err?: unknown) => void;
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** GET /ready: 200 when every check answers within 1.5 s, else 503 naming what did not. */
export function createReadyRoute(readiness: Record<string, () => Promise<unknown>>) {
  return async (res: ServerResponse) => {
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 1500);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const ok = results.every(([, s]) => s === 'ok');
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ status: ok ? 'ready' : 'unavailable', checks: Object.fromEntries(results) }));
  };
}

export function createHttpServer(deps: HttpServerDeps) {
  const staticFiles = createStaticFiles(deps.clientDir, { documentCsp: () => deps.security.csp('client') });

  const graphql = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const read = await readBody(req);
      if (!read.ok) {
        if (read.reason === 'too-large') refuseTooLarge(req, res);
        return;
      }
      // whatwg-node (yoga's Node adapter) takes a body already read from `req.body`; the
      // field is not on IncomingMessage's type.
      (req as IncomingMessage & { body?: Buffer }).body = read.body;
    }
    return deps.yoga(req, res);
  };

  const ready = createReadyRoute(deps.readiness);

  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    deps.security.apply(res);
    const handle = async () => {
      if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return graphql(req, res);
      if (pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"up"}');
        return;
      }
      if (pathname === '/ready') return ready(res);
      for (const [prefix, route] of Object.entries(deps.routes ?? {})) {
        if (pathname.startsWith(prefix)) return route(req, res, pathname);
      }
      // The client's page and files; any other path is 404 (no catch-all page).
      return staticFiles(req, res, pathname);
    };
    handle().catch((err) => {
      deps.log(`HTTP ${req.method} ${pathname} failed`, err);
      if (res.headersSent) {
        res.destroy(); // part of a body is out: the client must see it cut, not completed
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal error');
    });
  });
  const ws = attachWebSocket({ server, yoga: deps.yoga, validToken: deps.validToken ?? (async (token) => (await deps.accounts.authenticate(token)) !== null), log: deps.log, ...deps.webSocket });

  return {
    server,
    listen(port: number, host: string): Promise<number> {
      return new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(port, host, () => {
          server.off('error', fail);
          const address = server.address();
          ok(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
