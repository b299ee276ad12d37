// GraphQL over HTTP and SSE (graphql-yoga), with GraphiQL. Knows nothing of sockets.
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import type { Metrics } from '../observability/metrics.ts';
import type { Context, ContextSource } from './context.ts';
import { createCors } from './cors.ts';
import { mapError } from './error-mapper.ts';
import { FIRST_SESSION } from './first-session.ts';
import { boundedParserCache, useQueryLimits } from './query-limits.ts';
import type { SecurityHeaders } from './security-headers.ts';
import { useErrorCodes } from './use-error-codes.ts';
import { useDeliveryMetrics } from './use-delivery-metrics.ts';
import { useInputRules } from './use-input-rules.ts';
import { useReadOnlyShares } from './use-read-only-shares.ts';
import { useSharedSubscriptions } from './shared-subscriptions.ts';
import { useCompiledSubscriptions } from './use-compiled-subscriptions.ts';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQLHandler(deps: {
  schema: GraphQLSchema;
  createContext: (source: ContextSource) => Promise<Context>;
  /** Origins allowed by CORS; none: no CORS at all (yoga's default would allow any origin). */
  corsOrigins: readonly string[];
  security: SecurityHeaders;
  log: (msg: string, err?: unknown) => void;
  /** Counts subscription deliveries when given. */
  metrics?: Metrics;
}): Yoga {
  const cors = createCors(deps.corsOrigins);
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
      // A new visitor sees the README's first session rather than GraphiQL's welcome text.
      defaultQuery: FIRST_SESSION,
    },
    context: (initial) => deps.createContext(initial as ContextSource) as unknown as Record<string, unknown> & Context,
    // Never a stack trace, whatever NODE_ENV says: mapError masks everything it does not know.
    maskedErrors: { maskError: (error) => mapError(error, deps.log) },
    cors: cors.cors,
    parserAndValidationCache: boundedParserCache(),
    plugins: [
      // Subscriptions' events run compiled (graphql-jit); queries and mutations keep graphql-js.
      // Before the sharing plugin, which wraps whichever subscribe is set.
      useCompiledSubscriptions(),
      useSharedSubscriptions(),
      useQueryLimits(),
      useErrorCodes(),
      useInputRules(),
      useReadOnlyShares(),
      deps.security.yogaPlugin(),
      cors.plugin,
      ...(deps.metrics ? [useDeliveryMetrics(deps.metrics)] : []),
    ],
  }) as Yoga;
}
