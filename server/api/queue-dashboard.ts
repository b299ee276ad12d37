// The queue dashboard (bull-board) at /admin/queues, for administrators. bull-board's Hono
// adapter, mounted on our Node server through @hono/node-server's request listener. A
// browser opening the page cannot send a bearer header, so the session token is also taken
// from an HttpOnly cookie, which `?token=<session token>` sets once (then the URL is
// redirected without it, so the token stays out of history and logs).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Queue } from 'bullmq';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import type { Accounts } from '../auth/accounts.ts';
import { bearerToken } from '../auth/tokens.ts';
import { outageOf } from '../errors.ts';
import { QUEUE_NAME } from '../queue/task-queue.ts';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'sp_admin';

/** bull-board's page: its own scripts and styles (some inline styles), nothing remote. */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface QueueDashboardDeps {
  connection: Redis;
  /** The queue's key prefix (the same the task queue uses). */
  prefix: string;
  accounts: Pick<Accounts, 'authenticate'>;
  /** Read-only: no retry, promote, clean or remove. */
  readOnly: boolean;
  /** Mark the cookie Secure (PUBLIC_URL is https). */
  secureCookie: boolean;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(body);

export function createQueueDashboard(deps: QueueDashboardDeps) {
  const queue = new Queue(QUEUE_NAME, { connection: deps.connection, prefix: deps.prefix });
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: deps.readOnly })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Story Pipeline queues' } },
  });
  const hono = new Hono().route(DASHBOARD_PATH, serverAdapter.registerPlugin());
  // Hono's Request/Response stay its own: yoga and undici keep the global ones.
  const listener = getRequestListener(hono.fetch, { overrideGlobalObjects: false });

  const cookie = (token: string, maxAge?: number) =>
    [`${DASHBOARD_COOKIE}=${encodeURIComponent(token)}`, `Path=${DASHBOARD_PATH}`, 'HttpOnly', 'SameSite=Strict', ...(deps.secureCookie ? ['Secure'] : []), ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : [])].join('; ');

  const route = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (pathname !== DASHBOARD_PATH && !pathname.startsWith(`${DASHBOARD_PATH}/`)) {
      text(res, 404, 'Not found');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const token = fromQuery ?? bearerToken(req.headers.authorization) ?? cookieValue(req, DASHBOARD_COOKIE);
    if (!token) {
      text(res, 401, 'Sign in: open this page with ?token=<session token of an administrator>, or send it as a bearer token.', { 'www-authenticate': 'Bearer realm="admin"' });
      return;
    }
    let user;
    try {
      user = await deps.accounts.authenticate(token);
    } catch (err) {
      if (!outageOf(err)) throw err;
      text(res, 503, 'Service unavailable; try again shortly.', { 'retry-after': '5' });
      return;
    }
    if (!user) {
      // A stale cookie goes, so the next visit asks afresh.
      text(res, 401, 'This token is not valid (signed out or expired).', { 'www-authenticate': 'Bearer realm="admin"', 'set-cookie': cookie('', 0) });
      return;
    }
    if (!user.isAdmin) {
      text(res, 403, 'The queue dashboard is for administrators.');
      return;
    }
    if (fromQuery !== undefined) {
      url.searchParams.delete('token');
      res.writeHead(303, { location: `${url.pathname}${url.search}`, 'set-cookie': cookie(token), 'cache-control': 'no-store' }).end();
      return;
    }
    res.setHeader('content-security-policy', DASHBOARD_CSP);
    res.setHeader('cache-control', 'no-store');
    await listener(req, res);
  };

  return {
    route,
    /** Closes the dashboard's queue handle (the connection is the caller's). */
    close: () => queue.close(),
  };
}
