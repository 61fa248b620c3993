/**
 * Every text autoheal writes about an outcome, in one module on purpose: the audit event's
 * message and details, the log line, and the notification. The recorder (./recorder.ts)
 * uses these; nothing else words an outcome. (Longer than most files because it is the
 * whole vocabulary: splitting it would scatter the wording again.)
 */
import type { Notification } from '../../notify/message.js';
import type { NewAuditEvent } from '../../store/types.js';
import type { Hold } from '../maintenance.js';
import { lastOutputLine, type ProbeReport } from '../probe-log.js';
import type { EnrolledBy } from '../types.js';
import { type About, type Outcome, WHY } from './outcomes.js';

/** How a container came to be monitored, in words. */
function reasonSuffix(reason: string): string {
  return reason ? ` (${reason})` : '';
}

function enrolledHow(by: EnrolledBy, labelKey: string): string {
  if (by === 'label') return `label ${labelKey}=true`;
  return by === 'all' ? 'AUTOHEAL_CONTAINER_LABEL=all' : 'the selected list';
}

function notifyOnlyDetail(parent: About | null): string {
  const asks = 'its label autoheal.action=notify asks only for a notification';
  return parent === null ? asks : `it uses the network of ${parent.name}, which was restarted, and ${asks}`;
}

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
    case 'notified':
      return {
        event_type: 'skipped',
        ...container(o.c),
        status: 'notify_only',
        message: `Did not restart ${o.c.name}: ${notifyOnlyDetail(o.parent)}`,
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
        message: `Monitoring ${o.c.name} (enrolled by ${enrolledHow(o.enrolledBy, o.labelKey)})`,
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
    case 'maintenance_started':
      return {
        event_type: 'config_change',
        status: 'maintenance_started',
        message: `${o.extended ? 'Maintenance extended' : 'Maintenance started'} for ${o.minutes} min${reasonSuffix(o.reason)}: autoheal records but does not restart until ${o.until}`,
        details: { until: o.until, reason: o.reason, minutes: o.minutes },
      };
    case 'maintenance_ended':
      return {
        event_type: 'config_change',
        status: 'maintenance_ended',
        message: `Maintenance ended (${o.how}): autoheal heals again`,
        details: { until: o.until, reason: o.reason, how: o.how },
      };
    case 'silenced':
      return {
        event_type: 'config_change',
        ...container(o.c),
        status: 'silenced',
        message: `Silenced ${o.c.name} for ${o.minutes} min: no heal and no notification until ${o.until}`,
        details: { until: o.until, minutes: o.minutes },
      };
    case 'unsilenced':
      return {
        event_type: 'config_change',
        container_id: o.id,
        container_name: o.name,
        status: 'unsilenced',
        message: `Silence of ${o.name} ended (${o.how}): autoheal heals it again`,
        details: { how: o.how },
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

/** The level, fields and text of an outcome's log line (besides the container, which the recorder adds). */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

/** The log line an outcome is written as; null for one logged where it happens (the engine's). */
export function logLineOf(o: Outcome): LogLine | null {
  switch (o.kind) {
    case 'skipped':
      return {
        level: 'info',
        fields: { reason: o.reason, trigger: o.trigger },
        msg: `not restarted: ${o.detail}`,
      };
    case 'notified':
      return {
        level: 'info',
        fields: { reason: 'notify_only', trigger: o.trigger },
        msg: `not restarted: ${notifyOnlyDetail(o.parent)}`,
      };
    case 'recovered':
      return {
        level: 'info',
        fields: { waiting_for: o.waitingFor },
        msg: 'recovered on its own: heal called off',
      };
    case 'reset':
      return { level: 'info', fields: {}, msg: 're-armed by an operator' };
    case 'gave_up':
      return {
        level: 'warn',
        fields: { restarts: o.restarts, trigger: o.trigger },
        msg: 'giving up: left alone until healthy or reset',
      };
    case 'acted':
      return o.error === null
        ? {
            level: 'info',
            fields: { duration_ms: o.durationMs, trigger: o.trigger },
            msg: o.action === 'stop' ? 'stopped' : 'restarted',
          }
        : {
            level: 'error',
            fields: { err: o.error, duration_ms: o.durationMs, trigger: o.trigger },
            msg: `${o.action} failed`,
          };
    case 'dependent_acted':
      return o.error === null
        ? {
            level: 'info',
            fields: { dependency: o.parent.name, duration_ms: o.durationMs },
            msg: `${o.action === 'stop' ? 'stopped' : 'restarted'} a dependent`,
          }
        : {
            level: 'error',
            fields: { err: o.error, dependency: o.parent.name },
            msg: `${o.action} of a dependent failed`,
          };
    case 'interrupted':
      return {
        level: 'warn',
        fields: { duration_ms: o.durationMs },
        msg: `autoheal stopped while this ${o.action} was running`,
      };
    case 'excluded':
      return { level: 'info', fields: {}, msg: 'unhealthy but excluded: not restarted' };
    case 'health':
      return {
        level: 'info',
        fields: { health: o.state, previous: o.previous, source: o.source },
        msg: 'health changed',
      };
    case 'enrolled':
      return { level: 'info', fields: { enrolled_by: o.enrolledBy }, msg: 'container monitored' };
    case 'recreated':
      return {
        level: 'info',
        fields: { dependency: o.parentName, new_id: o.newId.slice(0, 12), duration_ms: o.durationMs },
        msg: 're-created a dependent in the new network namespace',
      };
    case 'recreate_failed':
      return {
        level: 'error',
        fields: {
          dependency: o.parentName,
          step: o.step,
          err: o.error,
          restored: o.restored,
          restore_error: o.restoreError,
        },
        msg: 're-creating a dependent failed',
      };
    case 'maintenance_started':
      return {
        level: 'info',
        fields: { until: o.until, reason: o.reason, minutes: o.minutes },
        msg: 'maintenance started',
      };
    case 'maintenance_ended':
      return { level: 'info', fields: { how: o.how }, msg: 'maintenance ended' };
    case 'silenced':
      return { level: 'info', fields: { until: o.until, minutes: o.minutes }, msg: 'container silenced' };
    case 'unsilenced':
      return { level: 'info', fields: { how: o.how }, msg: 'silence ended' };
    case 'list_changed':
      return {
        level: 'info',
        fields: { list: o.list, added: o.added, removed: o.removed },
        msg: `${o.list} list changed`,
      };
    default:
      return null;
  }
}

/** The message about no single container an outcome sends (`Notifier.notice`); null for none. */
export function noticeOf(o: Outcome): string | null {
  if (o.kind !== 'maintenance_started' || o.extended) return null;
  return `Maintenance started for ${o.minutes} min${reasonSuffix(o.reason)}: autoheal will not restart containers until ${o.until}`;
}

/** The notification an outcome sends; null for one that sends none. */
export function notificationOf(o: Outcome): Notification | null {
  const about = (c: About) => ({ containerName: c.name, containerId: c.id });
  switch (o.kind) {
    case 'notified':
      return {
        kind: 'unhealthy_notify',
        ...about(o.c),
        reason: o.parent === null ? WHY[o.trigger] : `loss of its network: ${o.parent.name} was restarted`,
        ...(o.probeOutput !== null ? { probeOutput: o.probeOutput } : {}),
      };
    case 'gave_up':
      return { kind: 'gave_up', ...about(o.c), reason: o.reason };
    case 'acted': {
      const kind = o.error === null ? o.action : o.action === 'stop' ? 'stop_failed' : 'restart_failed';
      const probeOutput = o.trigger === 'api' ? null : (o.reason ?? null);
      return {
        kind,
        ...about(o.c),
        reason: WHY[o.trigger],
        ...(probeOutput !== null ? { probeOutput } : {}),
        durationMs: o.durationMs,
        stopTimeoutS: o.stopTimeoutS,
        ...(o.error === null ? {} : { error: o.error }),
      };
    }
    case 'dependent_acted':
      if (o.error !== null) return null;
      return {
        kind: o.action === 'stop' ? 'stop' : 'dependent_restart',
        ...about(o.c),
        reason: `it uses the network of ${o.parent.name}`,
        durationMs: o.durationMs,
      };
    default:
      return null;
  }
}

/** Why a heal was held back: maintenance or a silence, until when. */
export function holdDetail(hold: Hold): string {
  return hold.kind === 'maintenance'
    ? `maintenance is on until ${hold.until}${hold.reason ? ` (${hold.reason})` : ''}`
    : `it is silenced until ${hold.until}`;
}

/** Why a heal waits on its back-off, with when the wait started and how much is left. */
export function backoffDetail(
  g: { repeat: number; waitS: number; sinceMs: number; untilMs: number },
  nowMs: number,
): string {
  const leftS = Math.ceil((g.untilMs - nowMs) / 1000);
  return `it turned unhealthy again after ${g.repeat === 1 ? 'its restart' : `${g.repeat} restarts in a row`}; the next restart waits ${g.waitS} s from ${new Date(g.sinceMs).toISOString()}, when it was first reported unhealthy (${leftS} s left)`;
}

/** Why autoheal gave up: how many restarts in which window, and which limit says so. */
export function giveUpReason(restarts: number, windowS: number, limit: string, maxRestarts: number): string {
  return `${restarts} restarts in ${windowS} s (${limit}=${maxRestarts})`;
}
