/**
 * The one human sentence a notification carries: host, container, short id, what happened
 * and why. Pure, so every channel (webhook, Apprise) says exactly the same thing.
 */
import { shortId } from '../shared/container-ref.js';

export type NotificationKind =
  | 'restart'
  | 'restart_failed'
  | 'gave_up'
  | 'stop'
  | 'stop_failed'
  | 'unhealthy_notify'
  | 'dependent_restart';

export interface Notification {
  kind: NotificationKind;
  containerName: string;
  containerId: string;
  /** Why autoheal acted, e.g. `health_status: unhealthy` or `10 restarts in 3600 s`. */
  reason: string;
  /** The engine's error text when the action failed. */
  error?: string;
  durationMs?: number;
  stopTimeoutS?: number;
  /** The first line of the last health probe's output (at most 200 characters). */
  probeOutput?: string;
}

/** Engine errors can be long multi-line bodies; a chat message wants one short line. */
const MAX_ERROR_CHARS = 500;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatNotification(n: Notification, hostname: string): string {
  const who = `${n.containerName} (${shortId(n.containerId)})`;
  const reason = oneLine(n.reason, MAX_ERROR_CHARS);
  const after = reason ? ` after ${reason}` : '';
  const because = reason ? ` (reason: ${reason})` : '';
  const took = n.durationMs !== undefined ? ` in ${Math.round(n.durationMs)} ms` : '';
  const error = oneLine(n.error ?? '', MAX_ERROR_CHARS) || 'unknown error';
  const text = ((): string => {
    switch (n.kind) {
      case 'restart':
        return `Restarted ${who}${after}${took}`;
      case 'restart_failed':
        return `Restart of ${who} failed: ${error}${because}`;
      case 'gave_up':
        return `Gave up on ${who}: ${reason || 'too many restarts'}`;
      case 'stop':
        return `Stopped ${who}${after}${took}`;
      case 'stop_failed':
        return `Stop of ${who} failed: ${error}${because}`;
      case 'unhealthy_notify':
        return `${who} reported ${reason || 'unhealthy'}; left running (autoheal.action=notify)`;
      case 'dependent_restart':
        return n.error !== undefined
          ? `Restart of dependent ${who} failed: ${error}${because}`
          : `Restarted dependent ${who}${after}${took}`;
    }
  })();
  const probe = n.probeOutput ? `; last probe: ${oneLine(n.probeOutput, 200)}` : '';
  return `[${hostname}] ${text}${probe}`;
}
