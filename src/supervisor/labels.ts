/**
 * The per-container labels autoheal reads (besides the enrolling key), and how each is
 * parsed. A label with a value autoheal does not understand falls back to the default,
 * and the caller logs it.
 */

export const STOP_TIMEOUT_LABEL = 'autoheal.stop.timeout';
export const GRACE_LABEL = 'autoheal.grace';
export const ACTION_LABEL = 'autoheal.action';
export const DEPENDENTS_LABEL = 'autoheal.dependents';
export const BACKOFF_MAX_LABEL = 'autoheal.backoff.max';
export const MAX_RESTARTS_LABEL = 'autoheal.max_restarts';
export const NOTIFY_LABEL = 'autoheal.notify';

export type HealAction = 'restart' | 'stop' | 'notify';
const ACTIONS: readonly HealAction[] = ['restart', 'stop', 'notify'];

type Labels = Readonly<Record<string, string>>;

function seconds(labels: Labels, key: string): number | null {
  const raw = labels[key]?.trim();
  if (raw === undefined || !/^\d{1,6}$/.test(raw)) return null;
  return Number(raw);
}

/** `autoheal.stop.timeout`, when it holds a whole number of seconds; null otherwise. */
export function stopTimeoutFromLabel(labels: Labels): number | null {
  return seconds(labels, STOP_TIMEOUT_LABEL);
}

/** `autoheal.grace`, when it holds a whole number of seconds; null otherwise. */
export function graceFromLabel(labels: Labels): number | null {
  return seconds(labels, GRACE_LABEL);
}

/** `autoheal.backoff.max`: this container's longest back-off, in whole seconds; null otherwise. */
export function backoffMaxFromLabel(labels: Labels): number | null {
  return seconds(labels, BACKOFF_MAX_LABEL);
}

/** `autoheal.max_restarts`: this container's restarts in the window before giving up (at least 1); null otherwise. */
export function maxRestartsFromLabel(labels: Labels): number | null {
  const n = seconds(labels, MAX_RESTARTS_LABEL);
  return n !== null && n >= 1 ? n : null;
}

/** `autoheal.notify`: false mutes the container's notifications; null when absent or not true/false. */
export function notifyFromLabel(labels: Labels): boolean | null {
  const raw = labels[NOTIFY_LABEL]?.trim().toLowerCase();
  return raw === 'true' ? true : raw === 'false' ? false : null;
}

/** `autoheal.action`; null when absent or not one of restart, stop, notify. */
export function actionFromLabel(labels: Labels): HealAction | null {
  const raw = labels[ACTION_LABEL]?.trim().toLowerCase();
  return ACTIONS.find((a) => a === raw) ?? null;
}

/** The words of `autoheal.dependents`, a comma-separated list of `restart` and `recreate`. */
function dependentsWords(labels: Labels): string[] {
  return (labels[DEPENDENTS_LABEL] ?? '').split(',').map((w) => w.trim().toLowerCase());
}

/** `autoheal.dependents` holds `restart`: restart the dependents after a heal. */
export function restartsDependents(labels: Labels): boolean {
  return dependentsWords(labels).includes('restart');
}

/** `autoheal.dependents` holds `recreate`: re-create the dependents when it is replaced. */
export function recreatesDependents(labels: Labels): boolean {
  return dependentsWords(labels).includes('recreate');
}

/** Labels present with a value autoheal cannot use, for a warning. */
export function invalidLabels(labels: Labels): string[] {
  const bad: string[] = [];
  if (labels[STOP_TIMEOUT_LABEL] !== undefined && stopTimeoutFromLabel(labels) === null)
    bad.push(STOP_TIMEOUT_LABEL);
  if (labels[GRACE_LABEL] !== undefined && graceFromLabel(labels) === null) bad.push(GRACE_LABEL);
  if (labels[ACTION_LABEL] !== undefined && actionFromLabel(labels) === null) bad.push(ACTION_LABEL);
  if (labels[BACKOFF_MAX_LABEL] !== undefined && backoffMaxFromLabel(labels) === null)
    bad.push(BACKOFF_MAX_LABEL);
  if (labels[MAX_RESTARTS_LABEL] !== undefined && maxRestartsFromLabel(labels) === null)
    bad.push(MAX_RESTARTS_LABEL);
  if (labels[NOTIFY_LABEL] !== undefined && notifyFromLabel(labels) === null) bad.push(NOTIFY_LABEL);
  return bad;
}
