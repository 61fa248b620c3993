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
  | 'holds';

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

/** A logger for lines about one container. */
export function containerLogger(logger: Logger, name: string, id?: string): Logger {
  return logger.child(id ? { container: name, container_id: id.slice(0, 12) } : { container: name });
}

/** A silent logger for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
