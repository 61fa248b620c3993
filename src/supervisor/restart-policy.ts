/**
 * Restart-loop damping, as pure functions over a container's heal record and the clock,
 * modelled on the kubelet and Docker's restart manager, which count the delay from the
 * failure: the first restart is immediate; the k-th in a row (k ≥ 2, without
 * `AUTOHEAL_BACKOFF_RESET` seconds of health in between) happens INITIAL × 2^(k−2) seconds
 * (capped at MAX) after the first unhealthy report of its spell; after MAX_RESTARTS restarts
 * inside RESTART_WINDOW autoheal gives up until the container turns healthy or an operator
 * resets it.
 */
import type { Settings } from '../config/settings.js';

/**
 * autoheal's memory of one container's restarts, for loop damping; the store persists it
 * by container id (and keeps any field added here, see docs/STORE.md).
 */
export interface HealRecord {
  name: string;
  /** Start times (ms since the epoch) of autoheal's restart attempts inside the window. */
  attempts: number[];
  /** Attempts since the container last stayed healthy for `AUTOHEAL_BACKOFF_RESET`. */
  consecutive: number;
  lastAttemptAt: number | null;
  /** When it was seen healthy, and has stayed so since; null while not healthy. */
  healthySince: number | null;
  /** The first unhealthy report since the last restart attempt (or health); the back-off counts from it. */
  unhealthySince?: number | null;
  /** When autoheal gave up on it; null while armed. */
  gaveUpAt: number | null;
  /** This unhealthy spell was already reported (action `notify`); cleared when healthy. */
  notified: boolean;
}

export type PolicySettings = Pick<
  Settings,
  'backoffInitialS' | 'backoffMaxS' | 'backoffResetS' | 'maxRestarts' | 'restartWindowS'
>;

export type Gate =
  | { kind: 'go' }
  /**
   * Wait until `untilMs`; `waitS` is the whole back-off step, counted from `sinceMs` (the
   * first unhealthy report of this spell); `repeat` is how many restarts in a row came before.
   */
  | { kind: 'backoff'; untilMs: number; sinceMs: number; waitS: number; repeat: number }
  /** Too many restarts in the window: give up now (record `gave_up` once). */
  | { kind: 'give_up'; restarts: number }
  /** Already given up on; leave it alone. */
  | { kind: 'given_up' };

export function emptyRecord(name: string): HealRecord {
  return {
    name,
    attempts: [],
    consecutive: 0,
    lastAttemptAt: null,
    healthySince: null,
    unhealthySince: null,
    gaveUpAt: null,
    notified: false,
  };
}

/**
 * The wait after the failure when `k` restarts in a row came before (k ≥ 1), in seconds:
 * INITIAL × 2^(k−1), capped at MAX.
 */
export function backoffStepS(k: number, s: PolicySettings): number {
  if (k <= 0) return 0;
  return Math.min(s.backoffInitialS * 2 ** Math.min(k - 1, 30), s.backoffMaxS);
}

function recentAttempts(r: HealRecord, nowMs: number, s: PolicySettings): number[] {
  const from = nowMs - s.restartWindowS * 1000;
  return r.attempts.filter((t) => t > from);
}

/** The container is healthy (seen by an event or a reconcile): it may re-arm and start the reset clock. */
export function observeHealthy(r: HealRecord, nowMs: number): { record: HealRecord; rearmed: boolean } {
  const rearmed = r.gaveUpAt !== null;
  return {
    record: {
      ...r,
      healthySince: r.healthySince ?? nowMs,
      unhealthySince: null,
      notified: false,
      ...(rearmed ? { gaveUpAt: null, consecutive: 0, attempts: [] } : {}),
    },
    rearmed,
  };
}

/**
 * The container is unhealthy: the first report of a spell starts the back-off clock, and
 * if it had stayed healthy for the reset period, its back-off starts over.
 */
export function observeUnhealthy(r: HealRecord, nowMs: number, s: PolicySettings): HealRecord {
  const stayedHealthy = r.healthySince !== null && nowMs - r.healthySince >= s.backoffResetS * 1000;
  return {
    ...r,
    healthySince: null,
    unhealthySince: r.unhealthySince ?? nowMs,
    ...(stayedHealthy ? { consecutive: 0 } : {}),
  };
}

/** May autoheal restart this container now? */
export function gate(r: HealRecord, nowMs: number, s: PolicySettings): Gate {
  if (r.gaveUpAt !== null) return { kind: 'given_up' };
  const recent = recentAttempts(r, nowMs, s);
  if (recent.length >= s.maxRestarts) return { kind: 'give_up', restarts: recent.length };
  if (r.consecutive > 0) {
    // A spell nobody reported (a record written before this field existed) starts now.
    const sinceMs = r.unhealthySince ?? nowMs;
    const waitS = backoffStepS(r.consecutive, s);
    const untilMs = sinceMs + waitS * 1000;
    if (nowMs < untilMs) return { kind: 'backoff', untilMs, sinceMs, waitS, repeat: r.consecutive };
  }
  return { kind: 'go' };
}

/** A restart attempt starts now (whatever its result); the next failure starts a new spell. */
export function recordAttempt(r: HealRecord, nowMs: number, s: PolicySettings): HealRecord {
  return {
    ...r,
    attempts: [...recentAttempts(r, nowMs, s), nowMs],
    consecutive: r.consecutive + 1,
    lastAttemptAt: nowMs,
    healthySince: null,
    unhealthySince: null,
  };
}

/** The restart attempt failed now: the container is still unhealthy, and this is the failure. */
export function recordFailedAttempt(r: HealRecord, nowMs: number): HealRecord {
  return { ...r, unhealthySince: nowMs };
}

export function recordGiveUp(r: HealRecord, nowMs: number): HealRecord {
  return { ...r, gaveUpAt: nowMs };
}

/** An operator's reset: armed again, back-off and window forgotten. */
export function rearm(r: HealRecord): HealRecord {
  return { ...r, gaveUpAt: null, consecutive: 0, attempts: [], lastAttemptAt: null, unhealthySince: null };
}

/** When the next attempt may run after a failed one (see `recordFailedAttempt`). */
export function nextAttemptAt(r: HealRecord, s: PolicySettings): number | null {
  if (r.unhealthySince == null || r.consecutive === 0) return null;
  return r.unhealthySince + backoffStepS(r.consecutive, s) * 1000;
}

/** Whether two records say the same (a health event that changes nothing is not written). */
export function sameRecord(a: HealRecord, b: HealRecord): boolean {
  return (
    a.name === b.name &&
    a.consecutive === b.consecutive &&
    a.lastAttemptAt === b.lastAttemptAt &&
    a.healthySince === b.healthySince &&
    (a.unhealthySince ?? null) === (b.unhealthySince ?? null) &&
    a.gaveUpAt === b.gaveUpAt &&
    a.notified === b.notified &&
    a.attempts.length === b.attempts.length &&
    a.attempts.every((t, i) => t === b.attempts[i])
  );
}
