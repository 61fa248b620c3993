/**
 * The single `autoheal.json` of the versions before the split store, read for the upgrade:
 * its events, lists, heal records and enrolled ids, each record validated on its own.
 */
import { auditEventSchema, deepFreeze } from './audit-trail.js';
import { parseState, type StateDocument } from './state.js';
import { readJson } from './state-file.js';
import type { AuditEvent } from './types.js';

/** The file of the versions before the split; renamed to `<it>.migrated` once upgraded. */
export const LEGACY_FILE = 'autoheal.json';

export type LegacyRead =
  | { kind: 'unreadable'; problem: string }
  | {
      kind: 'ok';
      /** Oldest first, as stored. */
      events: AuditEvent[];
      state: StateDocument;
      nextId: number;
      droppedEvents: number;
      /** One line per dropped list entry or heal record. */
      droppedRecords: string[];
    };

export async function readLegacyFile(path: string): Promise<LegacyRead> {
  const read = await readJson(path);
  if (read.kind === 'missing') return { kind: 'unreadable', problem: 'it is missing' };
  if (read.kind === 'bad') return { kind: 'unreadable', problem: read.problem };
  const state = parseState(read.value);
  if (state === null) return { kind: 'unreadable', problem: 'it is not an object' };
  const raw = read.value as Record<string, unknown>;
  const events: AuditEvent[] = [];
  let droppedEvents = 0;
  for (const record of Array.isArray(raw.events) ? raw.events : []) {
    const parsed = auditEventSchema.safeParse(record);
    if (parsed.success) events.push(deepFreeze(parsed.data));
    else droppedEvents++;
  }
  const nextId = typeof raw.next_id === 'number' && Number.isSafeInteger(raw.next_id) ? raw.next_id : 1;
  return { kind: 'ok', events, state: state.doc, nextId, droppedEvents, droppedRecords: state.dropped };
}
