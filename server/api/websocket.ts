// graphql-ws on the HTTP server's /graphql path: a thin adapter onto the same schema,
// context factory and error mapping as HTTP. A bad token closes the socket with 4403.
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Accounts } from '../auth/accounts.ts';
import { bearerToken } from '../auth/tokens.ts';
import type { Yoga } from './yoga.ts';

type Enveloped = ReturnType<Yoga['getEnveloped']>;
interface RootValue {
  execute: Enveloped['execute'];
  subscribe: Enveloped['subscribe'];
}

export function attachWebSocket(deps: { server: Server; yoga: Yoga; accounts: Accounts }) {
  const wss = new WebSocketServer({ server: deps.server, path: '/graphql' });
  const tokens = new WeakMap<object, string | null>();
  const disposable = useServer(
    {
      execute: (args: ExecutionArgs) => (args.rootValue as RootValue).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as RootValue).subscribe(args),
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (header === undefined || header === null || header === '') {
          tokens.set(ctx.extra, null);
          return true;
        }
        const token = bearerToken(String(header));
        const user = token ? await deps.accounts.authenticate(token) : null;
        if (!user || !token) return false; // graphql-ws closes with 4403 Forbidden
        tokens.set(ctx.extra, token);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // GraphiQL sends its header editor's headers with each operation rather than at
        // connection time: honour them when the connection itself carried no token.
        let socketToken = tokens.get(ctx.extra) ?? null;
        const headers = (payload.extensions as { headers?: Record<string, unknown> } | undefined)?.headers;
        const header = headers?.authorization ?? headers?.Authorization;
        if (!socketToken && typeof header === 'string' && header.trim()) {
          socketToken = bearerToken(header) ?? null;
          if (!socketToken || !(await deps.accounts.authenticate(socketToken))) {
            return [new GraphQLError('This token is not valid; sign in again.', { extensions: { code: 'UNAUTHENTICATED' } })];
          }
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = deps.yoga.getEnveloped({
          connectionParams: ctx.connectionParams,
          socketToken,
          socketOrigin: `http://${ctx.extra.request.headers.host ?? 'localhost'}`,
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
        if (errors.length) return errors;
        return args;
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
