// Counts every result delivered to a subscriber, by transport (WebSocket and SSE both run
// subscriptions through yoga's envelop, so one plugin sees them all).
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../observability/metrics.ts';
import type { Context } from './context.ts';

export function useDeliveryMetrics(metrics: Metrics): Plugin<Context> {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args }) {
          const transport = (args.contextValue as Partial<Context>).transport ?? 'unknown';
          return { onNext: () => metrics.delivered(transport) };
        },
      };
    },
  };
}
