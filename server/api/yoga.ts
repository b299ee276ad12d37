// GraphQL over HTTP and SSE (graphql-yoga), with GraphiQL. Knows nothing of sockets.
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import type { Context, ContextSource } from './context.ts';
import { mapError } from './error-mapper.ts';
import { useErrorCodes } from './use-error-codes.ts';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQLHandler(deps: {
  schema: GraphQLSchema;
  createContext: (source: ContextSource) => Promise<Context>;
  log: (msg: string, err?: unknown) => void;
}): Yoga {
  return createYoga<Record<string, unknown>, Context>({
    schema: deps.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    // GraphiQL's assets are served from here, not a CDN: it must work offline and air-gapped.
    renderGraphiQL,
    graphiql: {
      title: 'Story Pipeline GraphiQL',
      subscriptionsProtocol: 'WS',
    },
    context: (initial) => deps.createContext(initial as ContextSource) as unknown as Record<string, unknown> & Context,
    maskedErrors: { maskError: (error) => mapError(error, deps.log) },
    plugins: [useErrorCodes()],
  }) as Yoga;
}
