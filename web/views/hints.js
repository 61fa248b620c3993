// @ts-check
/**
 * The empty state a new user sees: how to enroll a service (the label, in compose form).
 * One place, shared by the containers and events views.
 */
import { html } from '/vendor/htm-preact.js';

/**
 * `labelKey` is AUTOHEAL_CONTAINER_LABEL (`all` enrolls every container).
 * @param {{labelKey: string, noContainers: boolean}} props
 */
export function EnrollHint({ labelKey, noContainers }) {
  if (labelKey === 'all') {
    return html`<div class="empty">
      <p class="empty-title">
        ${noContainers ? 'The Docker engine has no containers yet.' : 'No container is monitored.'}
      </p>
      <p>
        autoheal watches every container (AUTOHEAL_CONTAINER_LABEL=all) that has a HEALTHCHECK and is
        not excluded. Start one, or remove it from the excluded list.
      </p>
    </div>`;
  }
  const key = labelKey || 'autoheal';
  const compose = `services:\n  web:\n    labels:\n      ${key}: "true"\n    healthcheck:\n      test: ["CMD", "wget", "-qO-", "http://localhost/"]`;
  return html`<div class="empty">
    <p class="empty-title">
      ${noContainers ? 'The Docker engine has no containers yet.' : 'No container is monitored yet.'}
    </p>
    <p>Add the label <code>${key}=true</code> to a service that has a healthcheck, e.g. in compose:</p>
    <pre class="snippet"><code>${compose}</code></pre>
    <p class="muted">or <code>docker run --label ${key}=true …</code>. autoheal picks it up within seconds.</p>
  </div>`;
}
