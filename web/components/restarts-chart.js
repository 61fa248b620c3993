// @ts-check
/**
 * Restarts per hour across all containers for the last 24 hours, as an SVG bar chart drawn
 * from the audit events (web/lib/timeline.js counts them): successful restarts stacked under
 * failed ones, each bar naming its hour and counts on hover.
 */
import { html } from '/vendor/htm-preact.js';
import { restartsPerHour } from '../lib/timeline.js';
import { clockText } from './health-strip.js';

/** @typedef {import('../lib/timeline.js').TimelineEvent} TimelineEvent */

const BAR = 10;
const HEIGHT = 60;

/** @param {{events: readonly TimelineEvent[], now: number}} props */
export function RestartsChart({ events, now }) {
  const buckets = restartsPerHour(events, { now });
  const restarts = buckets.reduce((n, b) => n + b.restarts, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const top = Math.max(1, ...buckets.map((b) => b.restarts + b.failed));
  const scale = (/** @type {number} */ n) => (n / top) * (HEIGHT - 2);
  const summary = `${restarts} restart${restarts === 1 ? '' : 's'}${failed > 0 ? ` and ${failed} failed` : ''} in the last 24 hours`;
  const hourLabel = (/** @type {number} */ i) => clockText(buckets[i]?.start ?? now, now);
  return html`<figure class="restarts-chart" data-total=${String(restarts)} data-failed=${String(failed)}>
    <figcaption>
      <span class="restarts-chart-title">Restarts per hour</span>
      <span class="muted small">${summary}</span>
    </figcaption>
    <div class="restarts-chart-plot">
      <span class="restarts-chart-max muted small" aria-hidden="true">${top}</span>
      <svg
        class="rc-plot"
        viewBox=${`0 0 ${buckets.length * BAR} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label=${`Restarts per hour: ${summary}`}
        focusable="false"
      >
        <line class="rc-baseline" x1="0" x2=${buckets.length * BAR} y1=${HEIGHT - 0.5} y2=${HEIGHT - 0.5} vector-effect="non-scaling-stroke" />
        ${buckets.map((b, i) => {
          const ok = scale(b.restarts);
          const bad = scale(b.failed);
          return html`<g class="rc-hour" data-restarts=${String(b.restarts)} data-failed=${String(b.failed)}>
            <title>${clockText(b.start, now)} – ${clockText(b.end, now)}: ${b.restarts} restart${b.restarts === 1 ? '' : 's'}${b.failed > 0 ? `, ${b.failed} failed` : ''}</title>
            <rect class="rc-hit" x=${i * BAR} y="0" width=${BAR} height=${HEIGHT} />
            ${b.restarts > 0 ? html`<rect class="rc-bar" x=${i * BAR + 1.5} y=${HEIGHT - ok} width=${BAR - 3} height=${ok} />` : null}
            ${b.failed > 0 ? html`<rect class="rc-bar failed" x=${i * BAR + 1.5} y=${HEIGHT - ok - bad} width=${BAR - 3} height=${bad} />` : null}
          </g>`;
        })}
      </svg>
    </div>
    <div class="tl-axis rc-axis" aria-hidden="true">
      ${[0, 6, 12, 18].map((i) => html`<span style=${{ left: `${(i / buckets.length) * 100}%` }}>${hourLabel(i)}</span>`)}
      <span style=${{ left: '100%' }}>now</span>
    </div>
  </figure>`;
}
