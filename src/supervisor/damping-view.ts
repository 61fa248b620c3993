/**
 * A container's restart-loop damping as the operator reads it (`damping` on the container
 * views): restarts in the window against the limit, the back-off the next restart waits,
 * when a waiting one runs, and since when autoheal has given up. Pure: record, settings, clock.
 */
import type { Settings } from '../config/settings.js';
import { backoffMaxFromLabel, maxRestartsFromLabel } from './labels.js';
import { backoffStepS, type HealRecord, nextAttemptAt, type PolicySettings } from './restart-policy.js';

export interface DampingView {
  /** autoheal's restart attempts inside the window. */
  restarts_in_window: number;
  /** Attempts in the window before autoheal gives up (the label's, else the global setting). */
  max_restarts: number;
  window_s: number;
  /** The wait, counted from the failure, before the next restart if it turns unhealthy now (0: at once). */
  backoff_s: number;
  /** While a restart waits out its back-off: when it may run (ISO 8601); else null. */
  next_attempt_at: string | null;
  /** When autoheal gave up on it (ISO 8601); null while it is armed. */
  gave_up_at: string | null;
}

/** The damping settings for one container: the globals, with its own labels' overrides. */
export function dampingSettings(labels: Record<string, string>, s: Settings): Settings {
  const backoffMaxS = backoffMaxFromLabel(labels);
  const maxRestarts = maxRestartsFromLabel(labels);
  // Without either label (most containers), no copy of every setting per heal.
  if (backoffMaxS === null && maxRestarts === null) return s;
  return { ...s, backoffMaxS: backoffMaxS ?? s.backoffMaxS, maxRestarts: maxRestarts ?? s.maxRestarts };
}

export function dampingView(r: HealRecord | null, s: PolicySettings, nowMs: number): DampingView {
  const fromMs = nowMs - s.restartWindowS * 1000;
  const inWindow = r ? r.attempts.filter((t) => t > fromMs).length : 0;
  // Health held for the reset period starts the back-off over (see observeUnhealthy).
  const startsOver = r?.healthySince != null && nowMs - r.healthySince >= s.backoffResetS * 1000;
  const next = r && r.gaveUpAt === null ? nextAttemptAt(r, s) : null;
  return {
    restarts_in_window: inWindow,
    max_restarts: s.maxRestarts,
    window_s: s.restartWindowS,
    backoff_s: r && !startsOver ? backoffStepS(r.consecutive, s) : 0,
    next_attempt_at: next !== null && next > nowMs ? new Date(next).toISOString() : null,
    gave_up_at: r?.gaveUpAt != null ? new Date(r.gaveUpAt).toISOString() : null,
  };
}
