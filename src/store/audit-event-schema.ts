/**
 * The one zod schema of an audit event (the `AuditEvent` type in types.ts): the store
 * checks its file against it and the API documents its answers with it. The annotation
 * makes the compiler hold the two to the same shape.
 */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEvent } from './types.js';

export const auditEventSchema = z.object({
  id: z.number().int().positive(),
  timestamp: z.string().meta({ description: 'ISO 8601 with milliseconds, UTC.' }),
  event_type: z.enum(AUDIT_EVENT_TYPES),
  container_id: z
    .string()
    .nullable()
    .meta({ description: 'Full id; null for events about no container (engine, config_change).' }),
  container_name: z.string().nullable(),
  status: z.string().meta({
    description:
      'The outcome, by type; for `health` the new state (starting, healthy, unhealthy, stopped), with the one before in details.previous (null when none was recorded).',
  }),
  restart_count: z.number().int().nonnegative().nullable().meta({
    description: 'Successful restarts autoheal has made of this container; null without a container.',
  }),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<AuditEvent>;
