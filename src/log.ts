/**
 * pino loggers. Every line carries a `component`; lines about one container also carry
 * `container` (its name). JSON lines always, pretty output only when stdout is a terminal.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config/settings.js';

export type { Logger } from 'pino';

export type Component =
  | 'main'
  | 'config'
  | 'engine'
  | 'supervisor'
  | 'heal'
  | 'store'
  | 'api'
  | 'notify'
  | 'holds'
  | 'fleet';

/** Keys whose values never reach a log line: at the top of a line's object or one level down. */
const SECRET_KEYS = ['token', 'authorization', 'apiToken'] as const;
const CENSOR = '[redacted]';

/** A copy of `value` (same prototype, so an Error stays one) with its own secret keys censored, or `value`. */
function censorOwnSecrets<T extends object>(value: T): T {
  if (!SECRET_KEYS.some((k) => Object.hasOwn(value, k))) return value;
  const copy = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as T;
  for (const k of SECRET_KEYS) {
    if (Object.hasOwn(copy, k)) Object.defineProperty(copy, k, { value: CENSOR, enumerable: true });
  }
  return copy;
}

/**
 * A token or a registry password must never reach a log line, whatever a caller passes:
 * `token`, `authorization` and `apiToken`, at the top of the line's object or inside one of
 * its values, are censored in a copy; the caller's object is left alone. pino's own `redact`
 * option still censors these keys at the top level, in child bindings too (that costs
 * nothing); the level below is done here because a wildcard path there (`*.token`) made
 * pino (through @pinojs/redact) parse its paths and clone the object again for every line:
 * about 3.8 KB of garbage per line, almost three times the line's own, measured in the
 * pipeline bench (docs/BENCHMARKS.md).
 */
export function redactSecrets(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    let safe: unknown = value;
    if ((SECRET_KEYS as readonly string[]).includes(key)) safe = CENSOR;
    else if (value !== null && typeof value === 'object') safe = censorOwnSecrets(value);
    if (safe !== value) {
      out ??= { ...obj };
      out[key] = safe;
    }
  }
  return out ?? obj;
}

export function createRootLogger(
  level: LogLevel,
  pretty = process.stdout.isTTY === true,
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...SECRET_KEYS], censor: CENSOR },
    formatters: { log: redactSecrets },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

export function componentLogger(root: Logger, component: Component): Logger {
  return root.child({ component });
}

/**
 * How many container loggers each parent keeps; the oldest is dropped beyond this. Above the
 * number of containers of a large host, since a cache smaller than the fleet a flood cycles
 * through misses on every event.
 */
export const CONTAINER_LOGGERS_KEPT = 4096;

interface Kept {
  /** By full id (lines with an id), and by name (lines without). */
  byId: Map<string, { name: string; logger: Logger }>;
  byName: Map<string, Logger>;
}
const containerLoggers = new WeakMap<Logger, Kept>();

function keep<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CONTAINER_LOGGERS_KEPT) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * A logger for lines about one container. Reused per parent, name and id: the supervisor
 * asks for one per engine event, and making a pino child (bindings, redaction) per event
 * was a measurable share of the CPU an event flood costs (docs/BENCHMARKS.md). Looked up by
 * the id itself, without building a key string per call.
 */
export function containerLogger(logger: Logger, name: string, id?: string): Logger {
  let kept = containerLoggers.get(logger);
  if (!kept) {
    kept = { byId: new Map(), byName: new Map() };
    containerLoggers.set(logger, kept);
  }
  if (id === undefined || id === '') {
    let child = kept.byName.get(name);
    if (!child) {
      child = logger.child({ container: name });
      keep(kept.byName, name, child);
    }
    return child;
  }
  const known = kept.byId.get(id);
  // A renamed container gets a new logger under the same id.
  if (known !== undefined && known.name === name) return known.logger;
  const child = logger.child({ container: name, container_id: id.slice(0, 12) });
  keep(kept.byId, id, { name, logger: child });
  return child;
}

/** A silent logger for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
