// The security headers of every response, in one place. Every response carries the base
// set (no MIME sniffing, no referrer, no framing); HTML documents also carry the Content
// Security Policy of what they are: the client, or GraphiQL (whose assets are inlined).
import type { ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';

export type DocumentKind = 'client' | 'graphiql' | 'none';

const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');

// Shared by both documents: no plugins, no <base> hijack, never framed.
const LOCKED = { 'object-src': "'none'", 'base-uri': "'none'", 'frame-ancestors': "'none'" };

/**
 * The built client (Vite + Svelte) loads only its own files: one module script and one
 * stylesheet, no inline script or style (Svelte sets dynamic styles through the CSSOM,
 * which CSP does not restrict). Its icon is a data: URL. 'self' covers ws:/wss: of the
 * same host in CSP Level 3 browsers. `mediaOrigin` is where media URLs point (PUBLIC_URL,
 * else http://localhost:<port>), which need not be the origin the page was opened at.
 */
function clientPolicy(mediaOrigin: string | undefined): string {
  const media = mediaOrigin ? ` ${mediaOrigin}` : '';
  return policy({
    'default-src': "'self'",
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': `'self' data: blob:${media}`,
    'media-src': `'self' blob:${media}`,
    'connect-src': "'self'",
    'font-src': "'self'",
    'form-action': "'self'",
    ...LOCKED,
  });
}

/** GraphiQL's page is one HTML file with its scripts and styles inlined, and editor workers from blob: URLs. */
const GRAPHIQL_POLICY = policy({
  'default-src': "'self'",
  'script-src': "'self' 'unsafe-inline' blob:",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data: blob:",
  'font-src': "'self' data:",
  'worker-src': "'self' blob:",
  'connect-src': "'self'",
  'form-action': "'self'",
  ...LOCKED,
});

/** What an API answer (JSON, text, an error page) may load: nothing. */
const NOTHING_POLICY = policy({ 'default-src': "'none'", 'frame-ancestors': "'none'" });

export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface SecurityHeaders {
  /** Sets the base headers on a Node response; routes add a document's policy with `csp`. */
  apply(res: ServerResponse): void;
  /** The Content-Security-Policy of a document kind. */
  csp(kind: DocumentKind): string;
  /** For yoga: GraphiQL's policy on its HTML page, the locked one on every other answer. */
  yogaPlugin(): Plugin;
}

/** `mediaOrigin` is read when a page is served (the port is known only once listening). */
export function createSecurityHeaders(opts: { mediaOrigin?: () => string | undefined } = {}): SecurityHeaders {
  let client = { origin: '', policy: clientPolicy(undefined) };
  const clientCsp = () => {
    const origin = opts.mediaOrigin?.() ?? '';
    if (origin !== client.origin) client = { origin, policy: clientPolicy(origin || undefined) };
    return client.policy;
  };
  const csp = (kind: DocumentKind) => (kind === 'client' ? clientCsp() : kind === 'graphiql' ? GRAPHIQL_POLICY : NOTHING_POLICY);
  return {
    apply(res) {
      for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
    },
    csp,
    yogaPlugin: () => ({
      onResponse({ response }) {
        const html = response.headers.get('content-type')?.startsWith('text/html');
        response.headers.set('content-security-policy', csp(html ? 'graphiql' : 'none'));
        for (const [name, value] of Object.entries(BASE_HEADERS)) response.headers.set(name, value);
      },
    }),
  };
}
