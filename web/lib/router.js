// @ts-check
/**
 * Hash routing: which entry of a route table a location hash names. `#/events?type=restart`
 * and `#events?type=restart` are the same route; a pattern's groups (e.g. the `<name>` of
 * `#/containers/<name>`) are handed over decoded.
 */

/**
 * @template {{pattern: RegExp}} R
 * @param {R[]} routes  Tried in order; the first whose pattern matches the path wins.
 * @param {R} fallback  When none matches (an empty or unknown hash).
 * @param {string} hash  `location.hash`.
 * @returns {{route: R, args: string[], params: URLSearchParams}}
 */
export function matchRoute(routes, fallback, hash) {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match) return { route, args: match.slice(1).map((arg) => safeDecode(arg ?? '')), params };
  }
  return { route: fallback, args: [], params };
}

/** @param {string} text */
function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape in a hand-typed URL: shown as typed.
    return text;
  }
}
