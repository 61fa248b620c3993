// @ts-check
/**
 * The shapes of autoheal's API answers the UI reads, as JSDoc types (the server's own
 * definitions are the zod schemas in src/api/schemas.ts, which browser code cannot import).
 */

/**
 * @typedef {object} Container  One row of `GET /api/containers`.
 * @property {string} id
 * @property {string} name
 * @property {string} image
 * @property {string} state
 * @property {string} health
 * @property {boolean} monitored
 * @property {boolean} excluded
 * @property {string | null} [enrolled_by]
 * @property {boolean} [gave_up]
 * @property {number} [restart_count]
 * @property {string | null} [last_restart_at]
 * @property {string | null} [last_probe_output]
 * @property {string | null} [silenced_until]
 * @property {Damping} [damping]
 * @property {string} [host]  Set on the fleet's rows.
 */

/**
 * @typedef {object} Damping  `damping` of a container: its restart-loop damping state.
 * @property {number} restarts_in_window
 * @property {number} max_restarts
 * @property {number} window_s
 * @property {number} backoff_s
 * @property {string | null} next_attempt_at
 * @property {string | null} gave_up_at
 */

/**
 * @typedef {object} AuditEvent  One audit event (`GET /api/events`, the live stream).
 * @property {number} id
 * @property {string} timestamp
 * @property {string} event_type
 * @property {string} [status]
 * @property {string | null} [container_id]
 * @property {string | null} [container_name]
 * @property {string} [message]
 * @property {number} [restart_count]
 * @property {Record<string, any>} [details]  Free-form per event type; read with guards.
 * @property {string} [host]  Set on the fleet's events.
 */

/**
 * @typedef {object} Maintenance  `maintenance` of `GET /api/health`.
 * @property {boolean} active
 * @property {string | null} until
 * @property {string | null} reason
 */

/**
 * @typedef {object} Health  `GET /api/health`, as far as the UI reads it.
 * @property {string} [version]
 * @property {{connected?: boolean, last_event_at?: string | null}} [docker]
 * @property {Maintenance} [maintenance]
 */

/**
 * @typedef {object} ChannelResult  One entry of `POST /api/notifications/test`.
 * @property {string} channel
 * @property {boolean} ok
 * @property {string | null} error
 */

export {};
