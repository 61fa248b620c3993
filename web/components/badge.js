// @ts-check
/**
 * Coloured pills: a container's run state and health, its monitoring state, and an audit
 * event's type. `kind` picks the colour class in style.css (`health-unhealthy`,
 * `type-restart`…); the text is always text, never markup.
 */
import { html } from '/vendor/htm-preact.js';
import { TYPE_TEXT } from '../lib/event-types.js';

/**
 * @param {{text: string, kind: string, title?: string | undefined}} props
 */
export function Badge({ text, kind, title }) {
  return html`<span class=${`badge ${kind}`} title=${title}>${text}</span>`;
}

/** @type {Record<string, string>} */
const HEALTH_TEXT = {
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  starting: 'starting',
  none: 'no healthcheck',
};

/** @param {{health: string}} props */
export function HealthBadge({ health }) {
  return html`<${Badge} text=${HEALTH_TEXT[health] ?? health} kind=${`health-${health}`} />`;
}

/** @param {{state: string}} props */
export function RunBadge({ state }) {
  return html`<${Badge} text=${state} kind=${`run-${state}`} />`;
}

/**
 * An audit event's type, coloured by type and status (a failed restart is red).
 * @param {{type: string, status?: string | undefined}} props
 */
export function EventTypeBadge({ type, status = '' }) {
  return html`<${Badge}
    text=${TYPE_TEXT[type] ?? type.replaceAll('_', ' ')}
    kind=${`type type-${type} status-${status}`}
    title=${type}
  />`;
}

/**
 * Whether autoheal watches a container: monitored, excluded or not; given up; silenced.
 * @param {{container: import('../lib/types.js').Container, labelKey: string}} props
 */
export function MonitoringBadges({ container: c, labelKey }) {
  return html`<div class="stack">
    ${
      c.monitored
        ? html`<${Badge}
            text="monitored"
            kind="state-monitored"
            title="autoheal restarts it when it turns unhealthy"
          />`
        : c.excluded
          ? html`<${Badge}
              text="excluded"
              kind="state-excluded"
              title="on the excluded list (or labelled =false): never restarted"
            />`
          : html`<${Badge} text="not monitored" kind="state-off" title=${`no ${labelKey}=true label`} />`
    }
    ${c.monitored && c.enrolled_by ? html`<span class="muted small">${ENROLLED_TEXT[c.enrolled_by] ?? c.enrolled_by}</span>` : null}
    ${
      c.gave_up
        ? html`<${Badge}
            text="gave up"
            kind="state-gave-up"
            title="too many restarts: autoheal stopped healing it until reset"
          />`
        : null
    }
    ${
      c.silenced_until
        ? html`<${Badge}
            text=${`silenced until ${clock(c.silenced_until)}`}
            kind="state-gave-up"
            title="no heal and no notification for it until then"
          />`
        : null
    }
  </div>`;
}

/** @type {Record<string, string>} */
const ENROLLED_TEXT = { label: 'by label', all: 'all containers', selected: 'hand-picked' };

/** @param {string} iso */
function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
