/**
 * Every outcome autoheal writes down, as a typed value, and the one place its audit text is
 * worded. A call site builds an `Outcome` (what happened, with its facts); the recorder
 * (./recorder.ts) turns it into the audit event, the metric and the log line. See
 * docs/ARCHITECTURE.md.
 */
import type { NewAuditEvent } from '../store/types.js';
import type { HealTrigger } from './heal-decision.js';
import type { HealthState } from './health-transitions.js';
import { lastOutputLine, type ProbeReport } from './probe-log.js';

/** What set a heal off, in words, as the messages and notifications give it. */
export const WHY: Record<HealTrigger, string> = {
  event: 'health_status: unhealthy',
  reconcile: 'the reconcile found it unhealthy',
  retry: 'a scheduled retry',
  api: 'a request through the API',
  dependent: 'the restart of the container whose network it uses',
};

interface About {
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
  | { kind: 'enrolled'; c: About; enrolledBy: string | null; how: string }
  /** A monitored container's health state changed (`previous` null: none recorded before). */
  | {
      kind: 'health';
      c: About;
      state: HealthState;
      previous: HealthState | null;
      source: 'event' | 'reconcile';
    }
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

/** "; last probe: <its first line>" for a message, or nothing without output. */
function probeSuffix(health: ProbeReport): string {
  const line = lastOutputLine(health.log);
  return line === null ? '' : `; last probe: ${line}`;
}

function container(c: About): Pick<NewAuditEvent, 'container_id' | 'container_name'> {
  return { container_id: c.id, container_name: c.name };
}

/** The audit event an outcome is written down as: the one place its message is worded. */
export function auditEventOf(o: Outcome): NewAuditEvent {
  switch (o.kind) {
    case 'detected':
      return {
        event_type: 'unhealthy',
        ...container(o.c),
        status: 'detected',
        message:
          (o.trigger === 'event'
            ? `${o.c.name} reported unhealthy by its healthcheck`
            : `${o.c.name} found unhealthy by the reconcile`) +
          (o.graceS > 0 ? `; acting in ${o.graceS} s if still unhealthy` : '') +
          (o.health ? probeSuffix(o.health) : ''),
        details: {
          trigger: o.trigger,
          ...(o.graceS > 0 ? { grace_s: o.graceS } : {}),
          ...(o.health ? { health: o.health } : {}),
        },
      };
    case 'recovered':
      return {
        event_type: 'skipped',
        ...container(o.c),
        status: 'recovered',
        message: `Did not restart ${o.c.name}: it turned healthy ${o.waitingFor === 'grace' ? 'within its grace period' : 'before the scheduled retry'}`,
        details: { trigger: 'event', waiting_for: o.waitingFor },
      };
    case 'reset':
      return {
        event_type: 'config_change',
        ...container(o.c),
        status: 'reset',
        message: `Re-armed ${o.c.name}${o.wasGivenUp ? ' after autoheal gave up on it' : ''}: its back-off starts over`,
        details: { was_given_up: o.wasGivenUp, consecutive: o.consecutive },
      };
    case 'skipped':
      return {
        event_type: 'skipped',
        ...container(o.c),
        status: o.reason,
        message: `Did not restart ${o.c.name}: ${o.detail}`,
        details: { trigger: o.trigger, ...o.details },
      };
    case 'excluded':
      return {
        event_type: 'skipped',
        ...container(o.c),
        status: 'excluded',
        message: `Did not restart ${o.c.name}: it is unhealthy but excluded`,
        details: { trigger: 'event' },
      };
    case 'gave_up':
      return {
        event_type: 'gave_up',
        ...container(o.c),
        status: 'gave_up',
        message: `Gave up on ${o.c.name} after ${o.reason}; it is left alone until it turns healthy or is reset through the API`,
        details: { trigger: o.trigger, restarts: o.restarts, window_s: o.windowS },
      };
    case 'acted': {
      const details = {
        duration_ms: o.durationMs,
        trigger: o.trigger,
        stop_timeout_s: o.stopTimeoutS,
        ...(o.action === 'stop' ? { action: o.action } : {}),
        ...(o.reason != null && o.trigger !== 'api' ? { reason: o.reason } : {}),
      };
      if (o.error === null) {
        return {
          event_type: o.action,
          ...container(o.c),
          status: 'success',
          message: `${o.action === 'stop' ? 'Stopped' : 'Restarted'} ${o.c.name} after ${WHY[o.trigger]} (stop timeout ${o.stopTimeoutS} s) in ${o.durationMs} ms`,
          details,
        };
      }
      const retrying = o.retryAtMs !== null && o.action === 'restart';
      return {
        event_type: o.action,
        ...container(o.c),
        status: 'failed',
        message:
          `${o.action === 'stop' ? 'Stop' : 'Restart'} of ${o.c.name} after ${WHY[o.trigger]} failed in ${o.durationMs} ms: ${o.error}` +
          (retrying && o.retryAtMs !== null
            ? `; retrying in ${Math.ceil((o.retryAtMs - o.endMs) / 1000)} s`
            : ''),
        details: {
          ...details,
          error: o.error,
          ...(o.retryAtMs !== null ? { retry_at: new Date(o.retryAtMs).toISOString() } : {}),
        },
      };
    }
    case 'dependent_acted': {
      const details = {
        trigger: 'dependent',
        dependency: o.parent.name,
        dependency_id: o.parent.id,
        stop_timeout_s: o.stopTimeoutS,
        duration_ms: o.durationMs,
      };
      if (o.error !== null) {
        return {
          event_type: o.action,
          ...container(o.c),
          status: 'failed',
          message: `${o.action === 'stop' ? 'Stop' : 'Restart'} of ${o.c.name}, which uses the network of ${o.parent.name}, failed in ${o.durationMs} ms: ${o.error}`,
          details: { ...details, error: o.error },
        };
      }
      return {
        event_type: o.action,
        ...container(o.c),
        status: 'success',
        message: `${o.action === 'stop' ? 'Stopped' : 'Restarted'} ${o.c.name} because it uses the network of ${o.parent.name}, which was restarted (in ${o.durationMs} ms)`,
        details,
      };
    }
    case 'interrupted':
      return {
        event_type: o.action,
        ...container(o.c),
        status: 'interrupted',
        message: `autoheal stopped ${o.durationMs} ms into the ${o.action} of ${o.c.name}; the engine finishes it on its own`,
        details: { duration_ms: o.durationMs, trigger: o.trigger },
      };
    case 'recreated':
      return {
        event_type: 'recreate',
        container_id: o.newId,
        container_name: o.c.name,
        status: 'success',
        message: `Re-created ${o.c.name} to join the network of ${o.parentName}, which was replaced (in ${o.durationMs} ms)`,
        details: { ...o.details, old_id: o.c.id, new_id: o.newId },
      };
    case 'recreate_failed': {
      const kept = o.restored
        ? 'the old container was put back as it was'
        : `putting the old container back failed too: ${o.restoreError}`;
      return {
        event_type: 'recreate',
        ...container(o.c),
        status: 'failed',
        message: `Re-creating ${o.c.name} to join the network of ${o.parentName} failed at ${o.step.replace('_', ' ')}: ${o.error}; ${kept}`,
        details: {
          ...o.details,
          step: o.step,
          error: o.error,
          restored: o.restored,
          ...(o.restoreError !== null ? { restore_error: o.restoreError } : {}),
        },
      };
    }
    case 'died':
      return {
        event_type: o.action,
        ...container(o.c),
        status: o.action === 'die' ? 'died' : 'oom',
        message:
          o.action === 'die'
            ? `${o.c.name} ${o.duringHeal ? "stopped for autoheal's restart" : 'died'}${o.exitCode === undefined ? '' : ` with exit code ${o.exitCode}`}`
            : `${o.c.name} ran out of memory`,
        details: { exit_code: o.exitCode ?? null, during_restart: o.duringHeal },
      };
    case 'enrolled':
      return {
        event_type: 'auto_monitor',
        ...container(o.c),
        status: 'enabled',
        message: `Monitoring ${o.c.name} (enrolled by ${o.how})`,
        details: { enrolled_by: o.enrolledBy },
      };
    case 'health':
      return {
        event_type: 'health',
        ...container(o.c),
        status: o.state,
        message: `${o.c.name} is ${o.state}${o.previous === null ? '' : ` (was ${o.previous})`}`,
        details: { previous: o.previous, source: o.source },
      };
    case 'engine_connected':
      return {
        event_type: 'engine',
        status: 'connected',
        message: o.reconnect ? 'Reconnected to the Docker engine' : 'Connected to the Docker engine',
        details: { reconnect: o.reconnect },
      };
    case 'engine_disconnected':
      return {
        event_type: 'engine',
        status: 'disconnected',
        message: `${o.wasConnected ? 'Lost the Docker engine' : 'Cannot reach the Docker engine'}: ${o.error}; retrying in ${Math.round(o.retryInMs / 1000)} s`,
        details: { error: o.error, retry_in_ms: o.retryInMs },
      };
    case 'list_changed':
      return {
        event_type: 'config_change',
        status: 'updated',
        message: `${o.how} the ${o.list} list${o.added.length ? `; added ${o.added.join(', ')}` : ''}${o.removed.length ? `; removed ${o.removed.join(', ')}` : ''}`,
        details: { list: o.list, added: o.added, removed: o.removed, entries: o.entries },
      };
  }
}
