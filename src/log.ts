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

/** How many container loggers each parent keeps; the oldest is dropped beyond this. */
const CONTAINER_LOGGERS_KEPT = 1024;
const containerLoggers = new WeakMap<Logger, Map<string, Logger>>();

/**
 * A logger for lines about one container. Reused per parent, name and id: the supervisor
 * asks for one per engine event, and making a pino child (bindings, redaction) per event
 * was a measurable share of the CPU an event flood costs (docs/BENCHMARKS.md).
 */
export function containerLogger(logger: Logger, name: string, id?: string): Logger {
  let kept = containerLoggers.get(logger);
  if (!kept) {
    kept = new Map();
    containerLoggers.set(logger, kept);
  }
  const key = id ? `${name}\u0000${id.slice(0, 12)}` : name;
  let child = kept.get(key);
  if (!child) {
    child = logger.child(id ? { container: name, container_id: id.slice(0, 12) } : { container: name });
    if (kept.size >= CONTAINER_LOGGERS_KEPT) {
      const oldest = kept.keys().next();
      if (!oldest.done) kept.delete(oldest.value);
    }
    kept.set(key, child);
  }
  return child;
}

/** A silent logger for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
