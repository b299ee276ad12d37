/**
 * Hash routes, so the server can serve the client from `/` without knowing its pages:
 * `#/` the projects, `#/projects/<id>` one project.
 */
export type Route = { name: 'projects' } | { name: 'project'; id: string };

function parse(hash: string): Route {
  const match = /^#\/projects\/([^/?#]+)/.exec(hash);
  if (match?.[1]) return { name: 'project', id: decodeURIComponent(match[1]) };
  return { name: 'projects' };
}

let hash = $state(globalThis.location?.hash ?? '');
globalThis.addEventListener?.('hashchange', () => {
  hash = globalThis.location.hash;
});

export const router = {
  get route(): Route {
    return parse(hash);
  },
};

export function projectHref(id: string): string {
  return `#/projects/${encodeURIComponent(id)}`;
}

export const PROJECTS_HREF = '#/';

export function navigate(href: string): void {
  globalThis.location.hash = href.slice(1);
}
