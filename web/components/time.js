// @ts-check
/**
 * Times as the UI shows them: relative ("3 minutes ago") with the absolute local time on
 * hover, kept current by one shared ticker rather than a timer per row.
 */
import { html, useEffect, useState } from '/vendor/htm-preact.js';

/** @type {Array<[Intl.RelativeTimeFormatUnit, number]>} */
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

/**
 * "3 minutes ago", "yesterday", "just now".
 * @param {string} iso
 * @param {number} [now]
 */
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

/**
 * The absolute local time, for `title` and screen readers.
 * @param {string} iso
 */
export function absoluteTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : absoluteFormat.format(t);
}

/**
 * "12 min left", "40 s left": the time left until `untilIso`, rounded up.
 * @param {string} untilIso
 * @param {number} [now]
 */
export function timeLeft(untilIso, now = Date.now()) {
  const seconds = Math.max(0, Math.ceil((Date.parse(untilIso) - now) / 1000));
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** @type {Map<number, {listeners: Set<() => void>, timer: ReturnType<typeof setInterval>}>} */
const tickers = new Map();

/**
 * The current time, read at each render (never a remembered one, so a late timer cannot make
 * a countdown run ahead); re-renders the caller every `periodMs`, callers with the same
 * period sharing one timer.
 * @param {number} periodMs
 * @returns {number}
 */
export function useNow(periodMs) {
  const [, setTick] = useState(0);
  useEffect(() => {
    let ticker = tickers.get(periodMs);
    if (ticker === undefined) {
      /** @type {Set<() => void>} */
      const listeners = new Set();
      const timer = setInterval(() => {
        for (const listener of listeners) listener();
      }, periodMs);
      ticker = { listeners, timer };
      tickers.set(periodMs, ticker);
    }
    const own = ticker;
    const tick = () => setTick((n) => n + 1);
    own.listeners.add(tick);
    return () => {
      own.listeners.delete(tick);
      if (own.listeners.size === 0) {
        clearInterval(own.timer);
        tickers.delete(periodMs);
      }
    };
  }, [periodMs]);
  return Date.now();
}

/**
 * A `<time>` showing the relative time, with the absolute time on hover; "—" when there is none.
 * @param {{iso: string | null | undefined}} props
 */
export function RelativeTime({ iso }) {
  const now = useNow(15_000);
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time class="rel-time" datetime=${iso} title=${absoluteTime(iso)}>${relativeTime(iso, now)}</time>`;
}
