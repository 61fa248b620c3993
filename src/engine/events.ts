/**
 * Turns one raw message of the engine's `/events` stream into a typed `ContainerEvent`, or
 * null when it is not a container event autoheal uses. Nothing about the message's shape is
 * trusted: every field is checked before it is read.
 */

import { bareName, isFullId } from '../shared/container-ref.js';
import { isRecord } from '../shared/json.js';
import { type ContainerAction, type ContainerEvent, type HealthStatus, SUBSCRIBED_ACTIONS } from './types.js';

/** Attribute keys the engine adds next to the labels (they are not labels). */
const ENGINE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name',
  'image',
  'exitCode',
  'oldName',
  'signal',
  'execDuration',
  'health_status',
  'healthStatus',
  'HealthStatus',
]);

/** Docker puts the state in the action (`health_status: unhealthy`); Podman in an attribute. */
const HEALTH_ATTRIBUTES = ['health_status', 'healthStatus', 'HealthStatus'] as const;

function isSubscribedAction(value: string): value is ContainerAction {
  return (SUBSCRIBED_ACTIONS as readonly string[]).includes(value);
}

/** `healthy`, `unhealthy`, `starting` (anything else is not a state autoheal can act on). */
export function parseHealth(value: unknown): HealthStatus | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  return v === 'healthy' || v === 'unhealthy' || v === 'starting' ? v : null;
}

/** The string-valued attributes; anything else the engine (or a proxy) put there is dropped. */
function stringAttributes(actor: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(actor) || !isRecord(actor.Attributes)) return out;
  for (const [key, value] of Object.entries(actor.Attributes)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

const TIME_NANO_KEY = '"timeNano"';

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** The digits of the value after `"timeNano"` at `at` in `line` (`"timeNano" : 123`), or null. */
function digitsAfterKey(line: string, at: number): string | null {
  let i = at + TIME_NANO_KEY.length;
  while (i < line.length && isJsonSpace(line.charCodeAt(i))) i += 1;
  if (line.charCodeAt(i) !== 0x3a) return null;
  i += 1;
  while (i < line.length && isJsonSpace(line.charCodeAt(i))) i += 1;
  const first = i;
  while (i < line.length && line.charCodeAt(i) >= 0x30 && line.charCodeAt(i) <= 0x39) i += 1;
  return i > first ? line.slice(first, i) : null;
}

/**
 * `timeNano` is above 2^53, so `JSON.parse` rounds it. The exact digits are read from the
 * source line when it is given, and only trusted when they agree with the parsed number.
 * (Scanned by hand, not with a global regular expression: this runs for every event.)
 */
function exactTimeNano(parsed: unknown, line: string | undefined): string | null {
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) return null;
  if (line !== undefined) {
    // A label cannot fake this: attribute values are strings, so a quote precedes them.
    // The engine writes `timeNano` last: search from the end.
    for (
      let at = line.lastIndexOf(TIME_NANO_KEY);
      at !== -1;
      at = at === 0 ? -1 : line.lastIndexOf(TIME_NANO_KEY, at - 1)
    ) {
      const digits = digitsAfterKey(line, at);
      if (digits !== null && Number(digits) === parsed) return digits;
    }
  }
  return BigInt(Math.trunc(parsed)).toString();
}

/**
 * Maps a raw engine message. `line` is the message's source text, when known, so that
 * `timeNano` keeps all its digits.
 */
export function toContainerEvent(raw: unknown, line?: string): ContainerEvent | null {
  if (!isRecord(raw)) return null;
  if (raw.Type !== 'container') return null;

  // `Action` is the API's field since 1.22; `status` is its deprecated twin.
  const rawAction =
    typeof raw.Action === 'string' ? raw.Action : typeof raw.status === 'string' ? raw.status : null;
  if (rawAction === null) return null;

  const actor = raw.Actor;
  const actorId =
    isRecord(actor) && typeof actor.ID === 'string' ? actor.ID : typeof raw.id === 'string' ? raw.id : null;
  if (actorId === null) return null;
  const id = actorId.toLowerCase();
  if (!isFullId(id)) return null;

  const attributes = stringAttributes(actor);

  let action: ContainerAction;
  let health: HealthStatus | undefined;
  const colon = rawAction.indexOf(':');
  const verb = (colon === -1 ? rawAction : rawAction.slice(0, colon)).trim();
  if (verb === 'health_status') {
    const fromAction = colon === -1 ? null : parseHealth(rawAction.slice(colon + 1));
    const fromAttributes =
      HEALTH_ATTRIBUTES.map((k) => parseHealth(attributes[k])).find((h) => h !== null) ?? null;
    const parsed = fromAction ?? fromAttributes;
    if (parsed === null) return null;
    action = 'health_status';
    health = parsed;
  } else {
    // Other actions carry no suffix; an `exec_start: sh` style action is not ours.
    if (colon !== -1 || !isSubscribedAction(verb)) return null;
    action = verb;
  }

  const timeNano = exactTimeNano(raw.timeNano, line);
  const time =
    typeof raw.time === 'number' && Number.isFinite(raw.time) && raw.time >= 0
      ? Math.trunc(raw.time)
      : timeNano !== null
        ? Number(BigInt(timeNano) / 1_000_000_000n)
        : null;
  if (time === null) return null;

  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!ENGINE_ATTRIBUTES.has(key)) labels[key] = value;
  }

  // A destroyed container may come without a name; the short id is what `docker ps` would show.
  const rawName = attributes.name;
  const name = rawName !== undefined && bareName(rawName) !== '' ? bareName(rawName) : id.slice(0, 12);

  const event: ContainerEvent = {
    action,
    id,
    name,
    labels,
    time,
    timeNano: timeNano ?? `${time}000000000`,
  };
  if (health !== undefined) event.health = health;
  if (action === 'die') {
    const code = attributes.exitCode;
    if (code !== undefined && /^-?\d+$/.test(code.trim())) event.exitCode = Number.parseInt(code, 10);
  }
  return event;
}

/** The key that identifies one event across a reconnect's replay. */
export function eventKey(event: ContainerEvent): string {
  return `${event.id}|${event.action}|${event.health ?? ''}|${event.timeNano}`;
}
