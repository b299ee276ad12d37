/**
 * Hash routes, so the server can serve the client from `/` without knowing its pages:
 * `#/` the projects, `#/projects/<id>` one project, `#/share/<token>` the project a
 * share link opens (read-only, no sign-in). Any other hash (an in-page anchor
 * such as the skip link's `#main`) is not a route and leaves the current page alone.
 */
export type Route = { name: 'projects' } | { name: 'project'; id: string } | { name: 'share'; token: string };

export const PROJECTS_HREF = '#/';

export function projectHref(id: string): string {
  return `#/projects/${encodeURIComponent(id)}`;
}

/** Whether a location hash names a route: `#/…`, or no hash at all (the projects). */
export function isRouteHash(hash: string): boolean {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}

/** The route a route hash names; unknown paths show the projects. */
export function parseRoute(hash: string): Route {
  const match = /^#\/projects\/([^/?#]+)/.exec(hash);
  if (match?.[1]) return { name: 'project', id: decodeURIComponent(match[1]) };
  const share = /^#\/share\/([^/?#]+)/.exec(hash);
  if (share?.[1]) return { name: 'share', token: decodeURIComponent(share[1]) };
  return { name: 'projects' };
}

/** The route hash to follow once the location hash became `next`: anchors keep `current`. */
export function followHash(current: string, next: string): string {
  return isRouteHash(next) ? next : current;
}
