// GraphQL over HTTP and SSE (graphql-yoga), with GraphiQL. Knows nothing of sockets.
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
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
    graphiql: {
      title: 'Story Pipeline GraphiQL',
      subscriptionsProtocol: 'WS',
    },
    context: (initial) => deps.createContext(initial as ContextSource) as unknown as Record<string, unknown> & Context,
    maskedErrors: { maskError: (error) => mapError(error, deps.log) },
    plugins: [useErrorCodes()],
  }) as Yoga;
}
