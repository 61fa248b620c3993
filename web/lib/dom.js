/**
 * The few DOM and formatting helpers every view shares: building elements from data
 * (always as text, never as HTML, so a container name cannot inject markup), relative
 * times with the absolute time on hover, and the colour class of a health or event type.
 */

/**
 * Creates an element. `props` sets properties (`className`, `type`, `href`…), `dataset`,
 * `attrs` (attributes such as aria-*) and `on` (event listeners); children are nodes or
 * strings (inserted as text).
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') {
      for (const [name, v] of Object.entries(value))
        if (v !== undefined && v !== null) node.setAttribute(name, String(v));
    } else if (key === 'on') {
      for (const [name, handler] of Object.entries(value)) node.addEventListener(name, handler);
    } else node[key] = value;
  }
  append(node, children);
  return node;
}

/** Appends nodes and strings (as text nodes), skipping null/undefined/false. */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Removes every child of `node` and appends `children`. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** "3 minutes ago", "yesterday", "now"; `now` is injectable for a stable refresh. */
export function relativeTime(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const seconds = Math.round((t - now) / 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return '—';
}

/** The absolute local time, for `title` and screen readers. */
export function absoluteTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : absoluteFormat.format(t);
}

/** A `<time>` showing the relative time, with the absolute time on hover. */
export function timeElement(iso) {
  if (!iso) return el('span', { className: 'muted' }, '—');
  return el('time', { className: 'rel-time', dateTime: iso, title: absoluteTime(iso) }, relativeTime(iso));
}

/** Re-renders every relative time under `root` (called on a timer). */
export function refreshTimes(root = document) {
  const now = Date.now();
  for (const node of root.querySelectorAll('time.rel-time')) {
    const text = relativeTime(node.dateTime, now);
    if (node.textContent !== text) node.textContent = text;
  }
}

/** A coloured pill: `kind` picks the colour class (`health-unhealthy`, `type-restart`…). */
export function badge(text, kind, title) {
  return el('span', { className: `badge ${kind}`, title }, text);
}

/** Debounces `fn` to at most one call per `ms`, trailing. */
export function debounce(fn, ms) {
  let timer = null;
  return () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}

/**
 * A short id as `docker ps` shows it. The server's definition is src/shared/container-ref.ts,
 * which browser code cannot import; both take the first 12 characters.
 */
export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 12) : '';
}
