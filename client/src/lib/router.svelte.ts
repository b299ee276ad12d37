/**
 * The current hash route, reactive. The parsing lives in routes.ts (plain TypeScript,
 * unit-tested); this module only follows `hashchange`.
 */
import { followHash, parseRoute, type Route } from './routes.ts';

export { PROJECTS_HREF, projectHref, type Route } from './routes.ts';

// The last hash that named a route: in-page anchors (e.g. `#main`) do not change the page.
let hash = $state(followHash('', globalThis.location?.hash ?? ''));
globalThis.addEventListener?.('hashchange', () => {
  hash = followHash(hash, globalThis.location.hash);
});

export const router = {
  get route(): Route {
    return parseRoute(hash);
  },
};

export function navigate(href: string): void {
  globalThis.location.hash = href.slice(1);
}
