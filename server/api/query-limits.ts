// Bounds on what one GraphQL document may ask, on every transport (HTTP, SSE and WebSocket
// all run yoga's envelop): depth, aliases, directives, tokens and a cost estimate, from
// graphql-armor. And a parse/validate cache bounded by the size of what it holds, not only
// by its count: a thousand cached 1 MiB documents would be a gigabyte.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  /** Nesting of fields. Our deepest real query (the client's project view) is 7. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document: caps parse work before anything else runs. */
  maxTokens: number;
  /**
   * graphql-armor's cost estimate: objects 2, scalars 1, ×1.5 per level, and a list asked
   * for with a literal `first: N` counts N times. A page of 1,000 events is legitimate.
   */
  maxCost: number;
}

/** @default depth 12, aliases 15, directives 20, tokens 3000, cost 250000 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 15, maxDirectives: 20, maxTokens: 3000, maxCost: 250_000 };

export function useQueryLimits(limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, flattenFragments: true },
    // GraphiQL and codegen rely on the schema being known; suggestions are no secret here.
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
}

/** Documents larger than this are parsed every time rather than cached. */
const MAX_CACHED_DOCUMENT = 16 * 1024;

/** yoga's parse and validation caches, bounded to about `maxBytes` of query text each. */
export function boundedParserCache(maxBytes = 4 * 1024 * 1024) {
  const cache = <V extends object>() => {
    const lru = new LRUCache<string, V>({ maxSize: maxBytes, sizeCalculation: (_value, key) => Math.max(1, key.length) });
    return {
      get: (key: string) => lru.get(key),
      set: (key: string, value: V) => {
        if (key.length <= MAX_CACHED_DOCUMENT) lru.set(key, value);
      },
    };
  };
  return { documentCache: cache<DocumentNode>(), errorCache: cache<object>(), validationCache: true };
}
