// @ts-check
/**
 * The audit event types and how the UI names them. The server's list is AUDIT_EVENT_TYPES
 * in src/store/types.ts; a unit test keeps the two the same.
 */

/** @type {Record<string, string>} */
export const TYPE_TEXT = {
  auto_monitor: 'monitoring',
  unhealthy: 'unhealthy',
  restart: 'restart',
  stop: 'stop',
  recreate: 're-create',
  skipped: 'skipped',
  gave_up: 'gave up',
  die: 'died',
  oom: 'out of memory',
  config_change: 'config',
  engine: 'engine',
  health: 'health',
};

/** The audit event types, in the order the filter offers them. */
export const EVENT_TYPES = Object.keys(TYPE_TEXT);
