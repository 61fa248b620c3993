/**
 * Every outcome autoheal writes down, as a typed value: what happened, with its facts. A
 * call site builds an `Outcome`; the recorder (./recorder.ts) turns it into the audit event,
 * the log line, the metric and the notification, worded in ./messages.ts. See
 * docs/ARCHITECTURE.md.
 */
import type { HealTrigger } from '../heal-decision.js';
import type { HealthState } from '../health-transitions.js';
import type { ProbeReport } from '../probe-log.js';
import type { EnrolledBy } from '../types.js';

/** What set a heal off, in words, as the messages and notifications give it. */
export const WHY: Record<HealTrigger, string> = {
  event: 'health_status: unhealthy',
  reconcile: 'the reconcile found it unhealthy',
  retry: 'a scheduled retry',
  api: 'a request through the API',
  dependent: 'the restart of the container whose network it uses',
};

export interface About {
  id: string;
  name: string;
}

type EngineAction = 'restart' | 'stop';
type RecreateStep = 'inspect' | 'rename' | 'create' | 'start' | 'stop_old' | 'remove_old';

export type Outcome =
  /** A monitored container reported or found unhealthy. */
  | {
      kind: 'detected';
      c: About;
      trigger: 'event' | 'reconcile';
      graceS: number;
      /** The probe log read beside the heal; absent when the engine did not answer in time. */
      health?: ProbeReport | null;
    }
  /** It turned healthy while a heal waited (grace period or retry). */
  | { kind: 'recovered'; c: About; waitingFor: 'grace' | 'backoff' | 'retry' }
  /** An operator re-armed it. */
  | { kind: 'reset'; c: About; wasGivenUp: boolean; consecutive: number }
  /** A heal not carried out; `detail` says why, in a sentence fragment. */
  | {
      kind: 'skipped';
      c: About;
      trigger: HealTrigger | 'event';
      reason: string;
      detail: string;
      details: Record<string, unknown>;
    }
  /** Only a notification, as the container's `autoheal.action=notify` asks: not restarted. */
  | {
      kind: 'notified';
      c: About;
      trigger: HealTrigger;
      /** For a dependent: the restarted container whose network it uses. */
      parent: About | null;
      /** The first line of the last failing probe's output, when autoheal read one. */
      probeOutput: string | null;
      details: Record<string, unknown>;
    }
  /** An unhealthy container that is excluded by the lists. */
  | { kind: 'excluded'; c: About }
  | { kind: 'gave_up'; c: About; trigger: HealTrigger; restarts: number; windowS: number; reason: string }
  /** A restart or stop autoheal made (of an unhealthy container or on an operator's request). */
  | {
      kind: 'acted';
      c: About;
      action: EngineAction;
      trigger: HealTrigger;
      durationMs: number;
      stopTimeoutS: number;
      /** null on success. */
      error: string | null;
      /** When a failed restart is retried (epoch ms), or null. */
      retryAtMs: number | null;
      endMs: number;
      /** The first line of the last failing probe's output, for an automatic heal. */
      reason?: string | null;
    }
  /** A restart or stop of a dependent after the container whose network it uses was restarted. */
  | {
      kind: 'dependent_acted';
      c: About;
      parent: About;
      action: EngineAction;
      durationMs: number;
      stopTimeoutS: number;
      error: string | null;
    }
  /** autoheal stopped while its restart or stop was running. */
  | { kind: 'interrupted'; c: About; action: EngineAction; trigger: HealTrigger; durationMs: number }
  | {
      kind: 'recreated';
      c: About;
      newId: string;
      details: Record<string, unknown>;
      parentName: string;
      durationMs: number;
    }
  | {
      kind: 'recreate_failed';
      c: About;
      parentName: string;
      step: RecreateStep;
      error: string;
      restored: boolean;
      restoreError: string | null;
      details: Record<string, unknown>;
    }
  /** A container exited or ran out of memory. */
  | { kind: 'died'; c: About; action: 'die' | 'oom'; exitCode: number | undefined; duringHeal: boolean }
  /** A container monitored for the first time; `labelKey` is AUTOHEAL_CONTAINER_LABEL. */
  | { kind: 'enrolled'; c: About; enrolledBy: EnrolledBy; labelKey: string }
  /** A monitored container's health state changed (`previous` null: none recorded before). */
  | {
      kind: 'health';
      c: About;
      state: HealthState;
      previous: HealthState | null;
      source: 'event' | 'reconcile';
    }
  /** An operator started a maintenance window, or extended the one in force. */
  | { kind: 'maintenance_started'; minutes: number; reason: string; until: string; extended: boolean }
  /** The maintenance window ended: `how` says whether an operator ended it or its time was up. */
  | { kind: 'maintenance_ended'; how: string; until: string | null; reason: string }
  /** An operator silenced one container. */
  | { kind: 'silenced'; c: About; minutes: number; until: string }
  /** A container's silence ended; its id is unknown when it ended by itself. */
  | { kind: 'unsilenced'; name: string; id: string | null; how: string }
  | { kind: 'engine_connected'; reconnect: boolean }
  | { kind: 'engine_disconnected'; wasConnected: boolean; error: string; retryInMs: number }
  | {
      kind: 'list_changed';
      list: string;
      how: string;
      added: string[];
      removed: string[];
      entries: string[];
    };
