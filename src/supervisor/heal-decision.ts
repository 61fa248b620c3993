/**
 * The decision "restart this container now?" as a pure function of
 * the freshly inspected container, its monitor verdict, the settings and the clock.
 * Everything with a side effect (inspect, restart, audit) happens around it, in heal/heal.ts.
 */
import type { ContainerSnapshot } from '../engine/types.js';
import type { MonitorVerdict } from './enrollment.js';
import { actionFromLabel, graceFromLabel, type HealAction, stopTimeoutFromLabel } from './labels.js';
import type { HealRecord } from './restart-policy.js';

/**
 * What set a heal in motion; recorded as `details.trigger`. `retry` is a heal autoheal
 * scheduled itself: after a grace period, a back-off wait, or a failed restart;
 * `dependent` the heal of a container whose network namespace's owner was restarted.
 */
export type HealTrigger = 'event' | 'reconcile' | 'retry' | 'api' | 'dependent';

/** The `status` of a `skipped` audit event. */
export type SkipReason = 'gone' | 'recovered' | 'not_running' | 'excluded' | 'not_monitored' | 'start_period';

export type HealDecision =
  | { action: 'restart'; stopTimeoutS: number }
  | { action: 'skip'; reason: SkipReason; detail: string };

export interface HealDecisionInput {
  /** The container as inspected right before acting; null when the engine no longer has it. */
  container: ContainerSnapshot | null;
  /** Its verdict under the lists as they are now; null when the container is gone. */
  verdict: MonitorVerdict | null;
  trigger: HealTrigger;
  nowMs: number;
  /** When this autoheal process started. */
  startedAtMs: number;
  startPeriodS: number;
  defaultStopTimeoutS: number;
}

export function decideHeal(input: HealDecisionInput): HealDecision {
  const { container: c, verdict } = input;
  if (c === null || verdict === null) {
    return { action: 'skip', reason: 'gone', detail: 'the container no longer exists' };
  }
  const stopTimeoutS = stopTimeoutFromLabel(c.labels) ?? input.defaultStopTimeoutS;

  // An operator's explicit "restart now" is obeyed whatever the health or the lists say;
  // only a container that is not running is refused, since a restart would start it.
  if (input.trigger === 'api') {
    if (c.state !== 'running') {
      return { action: 'skip', reason: 'not_running', detail: `the container is ${c.state}` };
    }
    return { action: 'restart', stopTimeoutS };
  }

  if (verdict.excluded) {
    return {
      action: 'skip',
      reason: 'excluded',
      detail: 'the container is on the excluded list or labelled out',
    };
  }
  if (!verdict.monitored) {
    return {
      action: 'skip',
      reason: 'not_monitored',
      detail: `the container is not monitored (${verdict.reason})`,
    };
  }
  if (c.state !== 'running') {
    return { action: 'skip', reason: 'not_running', detail: `the container is ${c.state}` };
  }
  if (c.health !== 'unhealthy') {
    return { action: 'skip', reason: 'recovered', detail: `the container is ${c.health} again` };
  }
  const startPeriodEndsMs = input.startedAtMs + input.startPeriodS * 1000;
  if (input.nowMs < startPeriodEndsMs) {
    const leftS = Math.ceil((startPeriodEndsMs - input.nowMs) / 1000);
    return {
      action: 'skip',
      reason: 'start_period',
      detail: `autoheal started less than AUTOHEAL_START_PERIOD=${input.startPeriodS} s ago (${leftS} s left)`,
    };
  }
  return { action: 'restart', stopTimeoutS };
}

/** What a heal of this container does: its `autoheal.action` label, restart by default. */
export function healActionOf(labels: Readonly<Record<string, string>>): HealAction {
  return actionFromLabel(labels) ?? 'restart';
}

/** Seconds an unhealthy report waits before the heal: its label, else the setting. */
export function graceOf(labels: Readonly<Record<string, string>>, defaultGraceS: number): number {
  return graceFromLabel(labels) ?? defaultGraceS;
}

/**
 * A new unhealthy report that needs nothing more: autoheal gave up on the container, or it
 * only notifies and this spell was already reported (a reconcile must not repeat it every
 * interval).
 */
export function alreadyHandled(record: HealRecord, action: HealAction): boolean {
  return record.gaveUpAt !== null || (record.notified && action === 'notify');
}
