// @ts-check
/**
 * A container's health over a window, drawn as an SVG strip: one coloured band per span
 * (healthy, unhealthy, starting, restarting, stopped, no data) and a tick per restart or
 * stop. The spans come from web/lib/timeline.js; colours are CSS variables (light and dark),
 * and every band names its state and times on hover, so colour is never the only cue.
 */
import { html } from '/vendor/htm-preact.js';
import { healthTimeline, spanGeometry } from '../lib/timeline.js';

/** @typedef {import('../lib/timeline.js').SpanState} SpanState */
/** @typedef {import('../lib/timeline.js').TimelineEvent} TimelineEvent */

/** @type {Record<SpanState, string>} */
export const STATE_TEXT = {
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  starting: 'starting',
  restarting: 'restarting',
  stopped: 'stopped',
  unknown: 'no data',
};

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * A time for a hover text: the clock within a day of `reference`, else the date too.
 * @param {number} ms
 * @param {number} reference
 */
export function clockText(ms, reference) {
  return Math.abs(reference - ms) < 20 * 3_600_000 ? clockFormat.format(ms) : dayFormat.format(ms);
}

/** @param {number} ms */
function durationText(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.round(hours / 24)} days`;
}

const VIEW_WIDTH = 1000;

/**
 * @param {{
 *   events: readonly TimelineEvent[],
 *   from: number,
 *   to: number,
 *   current?: SpanState | undefined,
 *   label: string,
 *   size?: 'small' | 'large',
 * }} props
 */
export function HealthStrip({ events, from, to, current, label, size = 'small' }) {
  const { spans, markers } = healthTimeline(events, { from, to, current });
  const geometry = spanGeometry(spans, { from, to });
  const height = size === 'large' ? 40 : 16;
  const tick = size === 'large' ? 8 : 4;
  /** @type {Map<SpanState, number>} */
  const shares = new Map();
  for (const s of spans) shares.set(s.state, (shares.get(s.state) ?? 0) + (s.end - s.start));
  const total = to - from;
  const restarts = markers.filter((m) => m.kind === 'restart').length;
  const summary = `${label}: ${[...shares]
    .sort((a, b) => b[1] - a[1])
    .map(([state, ms]) => `${STATE_TEXT[state]} ${Math.round((ms / total) * 100)} %`)
    .join(', ')}; ${restarts} restart${restarts === 1 ? '' : 's'}`;
  const x = (/** @type {number} */ at) => ((at - from) / total) * VIEW_WIDTH;
  return html`<div
    class=${`health-strip ${size}`}
    data-states=${spans.map((s) => s.state).join(' ')}
    data-markers=${String(markers.length)}
  >
    <svg
      viewBox=${`0 0 ${VIEW_WIDTH} ${height + tick}`}
      preserveAspectRatio="none"
      role="img"
      aria-label=${summary}
      focusable="false"
    >
      ${geometry.map(
        (s) => html`<rect
          class=${`tl-band tl-${s.state}`}
          x=${(s.x / 100) * VIEW_WIDTH}
          y=${tick}
          width=${Math.max((s.width / 100) * VIEW_WIDTH, 0.5)}
          height=${height}
        ><title>${STATE_TEXT[s.state]} ${clockText(s.start, to)} – ${clockText(s.end, to)} (${durationText(s.end - s.start)})</title></rect>`,
      )}
      ${markers.map(
        (m) => html`<line
          class=${`tl-marker tl-${m.kind} ${m.ok ? 'ok' : 'failed'}`}
          x1=${x(m.at)}
          x2=${x(m.at)}
          y1="0"
          y2=${height + tick}
          vector-effect="non-scaling-stroke"
        ><title>${m.kind}${m.ok ? '' : ' failed'} at ${clockText(m.at, to)}${m.message ? `: ${m.message}` : ''}</title></line>`,
      )}
    </svg>
  </div>`;
}

/**
 * Times under a large strip: its start, quarters, and its end.
 * @param {{from: number, to: number}} props
 */
export function TimeAxis({ from, to }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * (to - from));
  return html`<div class="tl-axis" aria-hidden="true">
    ${ticks.map((t, i) => html`<span style=${{ left: `${i * 25}%` }}>${i === 4 ? 'now' : clockText(t, to)}</span>`)}
  </div>`;
}

/** What the colours mean, as text. */
export function HealthLegend() {
  return html`<ul class="tl-legend" aria-label="Legend">
    ${
      /** @type {SpanState[]} */ ([
        'healthy',
        'unhealthy',
        'starting',
        'restarting',
        'stopped',
        'unknown',
      ]).map((state) => html`<li><span class=${`tl-swatch tl-${state}`}></span>${STATE_TEXT[state]}</li>`)
    }
    <li><span class="tl-swatch tl-marker-swatch"></span>restart</li>
  </ul>`;
}
