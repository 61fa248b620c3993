/** The UI's hash routing (web/lib/router.js): which view a link opens, with what. */
import { describe, expect, it } from 'vitest';

interface Route {
  name: string;
  pattern: RegExp;
}
const { matchRoute } = (await import(
  // @ts-expect-error: plain browser JavaScript; web/tsconfig.json checks it, not this project.
  '../../../web/lib/router.js'
)) as {
  matchRoute(
    routes: Route[],
    fallback: Route,
    hash: string,
  ): { route: Route; args: string[]; params: URLSearchParams };
};

const containers = { name: 'containers', pattern: /^containers$/ };
const container = { name: 'container', pattern: /^containers\/([^/]+)$/ };
const events = { name: 'events', pattern: /^events$/ };
const routes = [containers, container, events];
const open = (hash: string) => matchRoute(routes, containers, hash);

describe('hash routes', () => {
  it('name a view with or without the leading slash, with its query', () => {
    for (const hash of ['#/events?type=restart&container=web', '#events?type=restart&container=web']) {
      const { route, params } = open(hash);
      expect(route).toBe(events);
      expect(params.get('type')).toBe('restart');
      expect(params.get('container')).toBe('web');
    }
  });

  it("hand a pattern's parts to the view, decoded", () => {
    expect(open('#/containers/my%20app')).toMatchObject({ route: container, args: ['my app'] });
    expect(open('#containers/web')).toMatchObject({ route: container, args: ['web'] });
    expect(open('#/containers/%E0%A4%A')).toMatchObject({ route: container, args: ['%E0%A4%A'] });
  });

  it('fall back to the first view for an empty or unknown hash', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/containers/a/b'])
      expect(open(hash)).toMatchObject({ route: containers, args: [] });
  });
});
