import { describe, expect, it } from 'vitest';
import { followHash, isRouteHash, parseRoute, projectHref, PROJECTS_HREF } from '../../client/src/lib/routes.ts';

describe('hash routes', () => {
  it('parses the projects and a project', () => {
    expect(parseRoute('')).toEqual({ name: 'projects' });
    expect(parseRoute(PROJECTS_HREF)).toEqual({ name: 'projects' });
    expect(parseRoute('#/projects/p-1')).toEqual({ name: 'project', id: 'p-1' });
    expect(parseRoute('#/unknown')).toEqual({ name: 'projects' });
  });

  it('parses a share link', () => {
    expect(parseRoute('#/share/AbC_d-9')).toEqual({ name: 'share', token: 'AbC_d-9' });
  });

  it('round-trips a project id through its href', () => {
    const id = 'a b/c?d#e';
    expect(parseRoute(projectHref(id))).toEqual({ name: 'project', id });
  });

  it('tells routes from in-page anchors', () => {
    expect(isRouteHash('')).toBe(true);
    expect(isRouteHash('#')).toBe(true);
    expect(isRouteHash('#/')).toBe(true);
    expect(isRouteHash('#/projects/p-1')).toBe(true);
    expect(isRouteHash('#main')).toBe(false);
  });

  it('keeps the current page when the hash becomes an anchor such as the skip link', () => {
    const onProject = projectHref('p-1');
    expect(followHash(onProject, '#main')).toBe(onProject);
    expect(parseRoute(followHash(onProject, '#main'))).toEqual({ name: 'project', id: 'p-1' });
    expect(followHash(onProject, PROJECTS_HREF)).toBe(PROJECTS_HREF);
    expect(followHash('', '#main')).toBe('');
  });
});
