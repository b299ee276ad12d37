// CORS for /graphql: off unless origins are configured (CORS_ORIGINS). yoga's default
// answers any origin with that origin and credentials allowed, so it is never left on.
// A listed origin gets exactly its own origin back; any other gets no CORS headers at
// all (never `null`, which sandboxed frames would match). Bearer tokens, not cookies:
// credentials are not allowed.
import type { Plugin, YogaServerOptions } from 'graphql-yoga';

type CorsOption = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'];

export function createCors(origins: readonly string[]): { cors: CorsOption; plugin: Plugin } {
  if (origins.length === 0) return { cors: false, plugin: {} };
  const allowed = new Set(origins);
  return {
    cors: (request: Request) => {
      const origin = request.headers.get('origin');
      if (!origin || !allowed.has(origin)) return false;
      return {
        origin: [origin],
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['authorization', 'content-type', 'accept'],
        credentials: false,
        maxAge: 600,
      };
    },
    // The answer depends on the Origin header: shared caches must keep them apart.
    plugin: {
      onResponse({ response }) {
        const vary = response.headers.get('vary');
        if (!vary?.toLowerCase().includes('origin')) response.headers.set('vary', vary ? `${vary}, Origin` : 'Origin');
      },
    },
  };
}
