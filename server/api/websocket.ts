// graphql-ws on the HTTP server's /graphql path: a thin adapter onto the same schema,
// context factory and error mapping as HTTP. A bad token closes the socket with 4403; a
// socket that never sends connection_init is closed with 4408; a message over 1 MiB closes
// it with 1009; one operation more than the limit is refused with RATE_LIMITED.
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { bearerToken } from '../auth/tokens.ts';
import { outageOf } from '../errors.ts';
import { mapError } from './error-mapper.ts';
import { batchSends } from './socket-writes.ts';
import type { Yoga } from './yoga.ts';

/** The largest WebSocket message accepted (1 MiB); a larger one closes the socket with 1009. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** What a client refused for too many operations is told to wait before trying again. */
const RETRY_AFTER_MS = 1000;

export interface WebSocketLimits {
  /** Operations (subscriptions, and queries in flight) one socket may run at once. */
  maxSubscriptionsPerSocket: number;
  /** How long a socket may stay without connection_init before it is closed (4408). */
  connectionInitTimeoutMs: number;
}

type Enveloped = ReturnType<Yoga['getEnveloped']>;
type SubscribeContext = WsContext<Record<string, unknown> | undefined, Extra>;
interface RootValue {
  execute: Enveloped['execute'];
  subscribe: Enveloped['subscribe'];
}

export interface WebSocketDeps extends WebSocketLimits {
  server: Server;
  yoga: Yoga;
  /** Whether a bearer token is live (a session's or a share link's). */
  validToken: (token: string) => Promise<boolean>;
  /** No internal text in close reasons (graphql-ws's own, too). */
  production: boolean;
  log: (msg: string, err?: unknown) => void;
}

export function attachWebSocket(deps: WebSocketDeps) {
  const wss = new WebSocketServer({ server: deps.server, path: '/graphql', maxPayload: MAX_MESSAGE_BYTES });
  const tokens = new WeakMap<object, string | null>();

  /** The execution arguments of an operation, or the errors that refuse it. */
  const prepare = async (ctx: SubscribeContext, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    // GraphiQL sends its header editor's headers with each operation rather than at
    // connection time: honour them when the connection itself carried no token.
    let socketToken = tokens.get(ctx.extra) ?? null;
    const headers = (payload.extensions as { headers?: Record<string, unknown> } | undefined)?.headers;
    const header = headers?.authorization ?? headers?.Authorization;
    if (!socketToken && typeof header === 'string' && header.trim()) {
      socketToken = bearerToken(header) ?? null;
      if (!socketToken || !(await deps.validToken(socketToken))) {
        return [new GraphQLError('This token is not valid; sign in again.', { extensions: { code: 'UNAUTHENTICATED' } })];
      }
    }
    const { schema, execute, subscribe, contextFactory, parse, validate } = deps.yoga.getEnveloped({
      connectionParams: ctx.connectionParams,
      socketToken,
      req: ctx.extra.request,
    });
    let document: ExecutionArgs['document'];
    try {
      document = parse(payload.query);
    } catch (err) {
      return [err as GraphQLError];
    }
    const args: ExecutionArgs = {
      schema,
      operationName: payload.operationName,
      document,
      variableValues: payload.variables,
      contextValue: await contextFactory(),
      rootValue: { execute, subscribe } satisfies RootValue,
    };
    const errors = validate(args.schema, args.document);
    return errors.length ? errors : args;
  };
  // Before graphql-ws's own listener: its sockets send through the batching writer.
  wss.on('connection', (socket) => batchSends(socket));
  const disposable = useServer(
    {
      isProd: deps.production,
      connectionInitWaitTimeout: deps.connectionInitTimeoutMs,
      execute: (args: ExecutionArgs) => (args.rootValue as RootValue).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as RootValue).subscribe(args),
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (header === undefined || header === null || header === '') {
          tokens.set(ctx.extra, null);
          return true;
        }
        const token = bearerToken(String(header));
        let valid = false;
        try {
          valid = token ? await deps.validToken(token) : false;
        } catch (err) {
          // graphql-ws closes with 4500 and the thrown message as reason: never internal text.
          deps.log('WebSocket connection_init failed', err);
          throw new Error(outageOf(err) ? 'Service unavailable; try again shortly.' : 'Internal error');
        }
        if (!valid || !token) return false; // graphql-ws closes with 4403 Forbidden
        tokens.set(ctx.extra, token);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already registered this operation: more than the limit means one too many.
        if (Object.keys(ctx.subscriptions).length > deps.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(`This connection already runs ${deps.maxSubscriptionsPerSocket} operations; complete one before starting another.`, {
              extensions: { code: 'RATE_LIMITED', retryAfterMs: RETRY_AFTER_MS },
            }),
          ];
        }
        try {
          return await prepare(ctx, payload);
        } catch (err) {
          // Thrown here, graphql-ws would close the socket with the message as its reason;
          // answered as this operation's error instead, mapped and masked like any other.
          return [mapError(err, deps.log)];
        }
      },
    },
    wss,
  );

  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((done) => wss.close(() => done()));
    },
  };
}
