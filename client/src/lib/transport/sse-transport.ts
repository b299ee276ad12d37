import type { ExecutionResult } from 'graphql';
import { ConnectionLostError } from '../api/errors.ts';
import { createSseParser } from './sse-parser.ts';
import type { GraphQLRequestBody, SubscriptionTransport, TransportHooks } from './types.ts';

export interface SseTransportOptions {
  /** The GraphQL endpoint, e.g. `/graphql`. */
  url: string;
  /** Read at every request. */
  getToken: () => string | null;
  hooks: TransportHooks;
  /** @default globalThis.fetch */
  fetchImpl?: typeof fetch;
}

/**
 * Subscriptions over GraphQL over SSE, "distinct connections" mode (graphql-yoga):
 * one `POST` with `Accept: text/event-stream` per subscription; the response streams
 * `event: next` with a JSON execution result, and ends with `event: complete`.
 * A stream that ends without `complete` was lost, and errors the sink.
 */
export function createSseTransport(options: SseTransportOptions): SubscriptionTransport {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const { hooks } = options;
  const active = new Set<AbortController>();

  return {
    subscribe(request: GraphQLRequestBody, sink) {
      const abort = new AbortController();
      active.add(abort);
      let opened = false;
      let finished = false;
      const finish = () => {
        finished = true;
        active.delete(abort);
      };

      void (async () => {
        const headers: Record<string, string> = {
          accept: 'text/event-stream',
          'content-type': 'application/json',
        };
        const token = options.getToken();
        if (token) headers.authorization = `Bearer ${token}`;
        const response = await fetchImpl(options.url, {
          method: 'POST',
          headers,
          body: JSON.stringify(request),
          signal: abort.signal,
          cache: 'no-store',
        });
        const type = response.headers.get('content-type') ?? '';
        if (!type.includes('text/event-stream')) {
          // The server answered, but not with a stream: a GraphQL error (validation,
          // authentication) comes as JSON; anything else means SSE does not get through.
          const body = (await response.json().catch(() => null)) as ExecutionResult | null;
          if (body && Array.isArray(body.errors)) {
            hooks.opened();
            finish();
            return sink.error(body.errors);
          }
          if (response.status === 401 || response.status === 403) hooks.unauthorized();
          throw new ConnectionLostError(`SSE request failed (HTTP ${response.status})`, response.status);
        }
        if (!response.body) throw new ConnectionLostError('SSE response has no body');
        opened = true;
        hooks.opened();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = createSseParser();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) {
            if (event.event === 'next') sink.next(JSON.parse(event.data) as ExecutionResult);
            else if (event.event === 'complete') {
              finish();
              abort.abort();
              return sink.complete();
            }
          }
        }
        throw new ConnectionLostError('SSE stream ended unexpectedly');
      })().catch((error: unknown) => {
        if (finished) return;
        finish();
        if (abort.signal.aborted) return; // unsubscribed by us
        if (opened) hooks.dropped();
        else hooks.failed();
        sink.error(error instanceof Error ? error : new ConnectionLostError(String(error)));
      });

      return () => {
        if (finished) return;
        finish();
        abort.abort();
      };
    },
    dispose() {
      for (const abort of active) abort.abort();
      active.clear();
    },
  };
}
