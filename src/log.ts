/**
 * pino loggers. Every line carries a `component`; lines about one container also carry
 * `container` (its name). JSON lines always, pretty output only when stdout is a terminal.
 */
import { type Logger, pino } from 'pino';
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

export function createRootLogger(level: LogLevel, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A token or a registry password must never reach a log line, whatever a caller passes.
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'apiToken', '*.apiToken'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } } : {}),
  });
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
