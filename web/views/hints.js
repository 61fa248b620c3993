/**
 * The empty state a new user sees: how to enroll a service (the label, in compose form).
 * One place, shared by the containers and events views.
 */
import { el } from '../lib/dom.js';

/** `labelKey` is AUTOHEAL_CONTAINER_LABEL (`all` enrolls every container). */
export function enrollHint(labelKey, noContainers) {
  if (labelKey === 'all') {
    return el(
      'div',
      { className: 'empty' },
      el(
        'p',
        { className: 'empty-title' },
        noContainers ? 'The Docker engine has no containers yet.' : 'No container is monitored.',
      ),
      el(
        'p',
        {},
        'autoheal watches every container (AUTOHEAL_CONTAINER_LABEL=all) that has a HEALTHCHECK and is not excluded. Start one, or remove it from the excluded list.',
      ),
    );
  }
  const key = labelKey || 'autoheal';
  return el(
    'div',
    { className: 'empty' },
    el(
      'p',
      { className: 'empty-title' },
      noContainers ? 'The Docker engine has no containers yet.' : 'No container is monitored yet.',
    ),
    el(
      'p',
      {},
      'Add the label ',
      el('code', {}, `${key}=true`),
      ' to a service that has a healthcheck, e.g. in compose:',
    ),
    el(
      'pre',
      { className: 'snippet' },
      el(
        'code',
        {},
        `services:\n  web:\n    labels:\n      ${key}: "true"\n    healthcheck:\n      test: ["CMD", "wget", "-qO-", "http://localhost/"]`,
      ),
    ),
    el(
      'p',
      { className: 'muted' },
      'or ',
      el('code', {}, `docker run --label ${key}=true …`),
      '. autoheal picks it up within seconds.',
    ),
  );
}
