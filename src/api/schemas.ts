/**
 * The zod schemas of everything the API accepts and answers. Handlers validate requests
 * with them, and the route definitions (`createRoute` in each resource module) name them,
 * so `GET /api/openapi.json` shows what the handlers check.
 */
import { z } from 'zod';
import { LIST_ENTRY_PATTERN } from '../config/validators.js';
import { auditEventSchema as storedAuditEventSchema } from '../store/audit-event-schema.js';
import { AUDIT_EVENT_TYPES, type ListName } from '../store/types.js';
import { MAX_HOLD_MINUTES } from '../supervisor/maintenance.js';
import type { ContainerView } from '../supervisor/types.js';

export const MAX_LIST_ENTRIES = 1000;
export const MAX_ENTRY_LENGTH = 255;
export const MAX_EVENTS_LIMIT = 1000;
export const DEFAULT_EVENTS_LIMIT = 100;
export const LIST_NAMES: readonly ListName[] = ['excluded', 'selected'];

const LIST_ENTRY_ERROR = 'must be a container name or 12-64 hex id';

/** A type error that tells a missing field from a wrong one. */
const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;

/** An entry of the excluded or selected list. */
export const listEntrySchema = z
  .string({ error: typeError('a string') })
  .min(1, LIST_ENTRY_ERROR)
  .max(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`)
  .regex(LIST_ENTRY_PATTERN, LIST_ENTRY_ERROR)
  .meta({ description: 'A container name (`*` is a wildcard) or 12 to 64 hex characters of an id.' });

/** A container as the API looks it up: a name, a full id or an id prefix (no wildcards). */
export const CONTAINER_REF_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const containerRefSchema = z
  .string()
  .max(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`)
  .regex(
    CONTAINER_REF_PATTERN,
    'must be a container name, a full id or an id prefix of at least 12 hex characters',
  )
  .meta({ description: 'A container name, full id, or id prefix of at least 12 hex characters.' });

/** `PUT /api/config/{list}` bodies: `{"excluded": [...]}` or `{"selected": [...]}`. */
export function replaceListBodySchema(list: ListName) {
  return z.strictObject({
    [list]: z
      .array(listEntrySchema, { error: typeError('an array of container names or ids') })
      .max(MAX_LIST_ENTRIES, `must hold at most ${MAX_LIST_ENTRIES} entries`),
  });
}

/** `POST /api/config/{list}` body. */
export const addEntryBodySchema = z.strictObject({ name: listEntrySchema });

const positiveInt = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, `must be ${what}`)
    .transform(Number)
    .refine(Number.isSafeInteger, `must be ${what}`);

const isoTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be an ISO 8601 time such as 2026-11-21T12:34:56Z',
  })
  .meta({ description: 'ISO 8601 time (e.g. 2026-11-21T12:34:56Z) or date (2026-11-21).' });

/** `GET /api/events` query; every value arrives as one string. */
export const eventsQuerySchema = z.strictObject({
  type: z
    .enum(AUDIT_EVENT_TYPES, { error: `must be one of ${AUDIT_EVENT_TYPES.join(', ')}` })
    .optional()
    .meta({ description: 'Only events of this type.' }),
  container: z
    .string()
    .max(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`)
    .regex(CONTAINER_REF_PATTERN, 'must be a container name or an id prefix')
    .optional()
    .meta({ description: 'Only events of this container: its exact name or an id prefix.' }),
  since: isoTime.optional().meta({ description: 'Only events at or after this time.' }),
  before_id: positiveInt('a positive whole number')
    .optional()
    .meta({ description: 'Only events older than this id: pass `next_before_id` to get the next page.' }),
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, `must be a whole number from 1 to ${MAX_EVENTS_LIMIT}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_EVENTS_LIMIT, `must be a whole number from 1 to ${MAX_EVENTS_LIMIT}`)
    .optional()
    .meta({
      description: `How many events, newest first (default ${DEFAULT_EVENTS_LIMIT}, at most ${MAX_EVENTS_LIMIT}).`,
    }),
});

/** `GET /api/events/stream` query; the `Last-Event-ID` header takes the same value. */
export const streamQuerySchema = z.strictObject({
  last_event_id: z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number')
    .transform(Number)
    .refine(Number.isSafeInteger, 'must be a whole number')
    .optional()
    .meta({ description: 'Replay the events after this id first (same as the `Last-Event-ID` header).' }),
  epoch: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/, 'must be an epoch as sent in the stream (letters, digits, -)')
    .optional()
    .meta({
      description:
        "The epoch the client last received; when it is not the store's (the ids started over), nothing is replayed.",
    }),
});

// Answers. Handlers do not validate these; the annotations make the compiler check them
// against the domain types, and the OpenAPI document shows them.

export const errorSchema = z.object({ error: z.string().meta({ description: 'What is wrong.' }) });

export const auditEventSchema = storedAuditEventSchema.meta({ id: 'AuditEvent' });

const dampingSchema = z
  .object({
    restarts_in_window: z
      .number()
      .int()
      .meta({ description: 'autoheal’s restart attempts inside the window (`AUTOHEAL_RESTART_WINDOW`).' }),
    max_restarts: z.number().int().meta({
      description:
        'Attempts in the window before autoheal gives up: the label `autoheal.max_restarts`, else the setting.',
    }),
    window_s: z.number().int().meta({ description: 'The window, in seconds.' }),
    backoff_s: z.number().meta({
      description:
        'How long the next restart waits, counted from the failure, if the container turns unhealthy now (0: at once).',
    }),
    next_attempt_at: z.string().nullable().meta({
      description: 'While a restart waits out its back-off: when it may run (ISO 8601); else null.',
    }),
    gave_up_at: z
      .string()
      .nullable()
      .meta({ description: 'When autoheal gave up on the container (ISO 8601); null while it is armed.' }),
  })
  .meta({ id: 'Damping' });

export const containerViewSchema: z.ZodType<ContainerView> = z
  .object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    state: z.string(),
    health: z.enum(['healthy', 'unhealthy', 'starting', 'none']),
    monitored: z.boolean(),
    excluded: z.boolean(),
    enrolled_by: z.enum(['label', 'all', 'selected']).nullable(),
    restart_count: z.number().int(),
    last_restart_at: z.string().nullable(),
    gave_up: z.boolean(),
    silenced_until: z
      .string()
      .nullable()
      .meta({ description: 'While the container is silenced: when its silence ends (ISO 8601).' }),
    last_probe_output: z.string().nullable().meta({
      description:
        'First line (at most 200 characters) of the last failing health probe output autoheal read since it started.',
    }),
    damping: dampingSchema,
    labels: z.record(z.string(), z.string()),
  })
  .meta({ id: 'Container' });

export const containersResponseSchema = z.object({ containers: z.array(containerViewSchema) });

export const eventsResponseSchema = z.object({
  events: z.array(auditEventSchema),
  next_before_id: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'Pass as `before_id` for the next (older) page; null when there is none.' }),
});

export const restartResponseSchema = z.object({ event: auditEventSchema });
export const restartFailedResponseSchema = z.object({
  error: z.string().meta({ description: 'What the engine answered, e.g. a network it could not join.' }),
  event: auditEventSchema,
});
export const resetResponseSchema = z.object({
  reset: z.boolean().meta({ description: 'False when autoheal had not given up on the container.' }),
});

const holdMinutesSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_HOLD_MINUTES, `must be at most ${MAX_HOLD_MINUTES} (a week)`)
  .meta({ description: `How long, in minutes (1 to ${MAX_HOLD_MINUTES}).` });

export const MAX_REASON_LENGTH = 200;

/** `POST /api/maintenance`. */
export const maintenanceBodySchema = z.strictObject({
  minutes: holdMinutesSchema,
  reason: z
    .string()
    .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`)
    .optional()
    .meta({ description: 'Shown in the UI, the audit trail and the notification.' }),
});

/** `POST /api/containers/{ref}/silence`. */
export const silenceBodySchema = z.strictObject({ minutes: holdMinutesSchema });

export const maintenanceViewSchema = z
  .object({
    active: z.boolean(),
    until: z.string().nullable().meta({ description: 'When it ends by itself (ISO 8601); null when off.' }),
    reason: z.string().nullable(),
  })
  .meta({ id: 'Maintenance' });

export const notificationTestResponseSchema = z
  .array(
    z.object({
      channel: z.enum(['webhook', 'apprise']),
      ok: z.boolean(),
      error: z
        .string()
        .nullable()
        .meta({ description: 'Why it failed (scheme and host of the receiver only); null when ok.' }),
    }),
  )
  .meta({ description: 'One entry per configured channel; empty when none is configured.' });

export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  docker: z.object({
    connected: z.boolean(),
    last_event_at: z.string().nullable(),
    reconnects: z.number().int(),
  }),
  queue: z
    .record(z.string(), z.number())
    .meta({ description: 'Heal queue counters: size, pending, dropped, …' }),
  store: z.object({ ok: z.boolean(), last_error: z.string().nullable(), pending_writes: z.boolean() }),
  maintenance: maintenanceViewSchema,
  uptime_s: z.number(),
  version: z.string(),
  host: z.string().meta({ description: 'AUTOHEAL_HOSTNAME: the name the fleet view shows.' }),
  public_url: z
    .string()
    .nullable()
    .meta({ description: 'AUTOHEAL_PUBLIC_URL, where its web UI is reached.' }),
});

const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
export const configResponseSchema = z.object({
  settings: z
    .record(z.string(), settingValue)
    .meta({ description: 'Effective settings by variable name; secrets are left out, URLs are masked.' }),
  containers: z.object({
    selected: z.array(z.string()),
    excluded: z
      .array(z.string())
      .meta({ description: 'Effective: configuration entries, then the API-managed ones.' }),
    excluded_by_config: z.array(z.string()),
  }),
});

export function listResponseSchema(list: ListName) {
  return list === 'excluded'
    ? z.object({
        excluded: z
          .array(z.string())
          .meta({ description: 'Effective list: configuration entries, then API-managed ones.' }),
        excluded_by_config: z
          .array(z.string())
          .meta({ description: 'Entries from AUTOHEAL_EXCLUDE; they cannot be removed through the API.' }),
      })
    : z.object({ selected: z.array(z.string()) });
}

/** `GET /api/session` and `POST /api/session`: whether reads need a token, and this browser's session. */
export const sessionResponseSchema = z
  .object({
    reads_need_token: z.boolean(),
    session: z
      .boolean()
      .meta({ description: 'The request carries a live session cookie (or just got one).' }),
    access: z
      .enum(['change', 'read'])
      .optional()
      .meta({ description: 'What the token exchanged may do (POST only).' }),
  })
  .meta({ id: 'Session' });
