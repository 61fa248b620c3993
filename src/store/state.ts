/**
 * The state that is not history: the operator's lists and the per-container heal records
 * (with the ids already enrolled), in memory, and the document they are saved as. Each
 * record is validated on its own when read, so one bad record costs only itself.
 */
import { z } from 'zod';
import type { HealRecord } from '../supervisor/restart-policy.js';
import type { HealRecords, Holds, ListName, Lists, MaintenanceWindow } from './types.js';
import { LIST_NAMES } from './types.js';

export const STATE_VERSION = 2;

export interface StateDocument {
  version: typeof STATE_VERSION;
  lists: Record<ListName, string[]>;
  heal_records: Record<string, HealRecord>;
  monitored_ids: string[];
  /** Absent in files written before maintenance windows existed. */
  maintenance: MaintenanceWindow | null;
  silences: Record<string, string>;
}

const maintenanceSchema = z.object({
  until: z.iso.datetime(),
  reason: z.string(),
  started_at: z.iso.datetime(),
});

// Loose: a field the restart policy adds later is kept as it is instead of being stripped.
const healRecordSchema = z.looseObject({
  name: z.string(),
  attempts: z.array(z.number()).default([]),
  consecutive: z.number().int().nonnegative().default(0),
  lastAttemptAt: z.number().nullable().default(null),
  healthySince: z.number().nullable().default(null),
  unhealthySince: z.number().nullable().optional(),
  gaveUpAt: z.number().nullable().default(null),
  notified: z.boolean().default(false),
});

export function emptyState(): StateDocument {
  return {
    version: STATE_VERSION,
    lists: Object.fromEntries(LIST_NAMES.map((name) => [name, []])) as unknown as Record<ListName, string[]>,
    heal_records: {},
    monitored_ids: [],
    maintenance: null,
    silences: {},
  };
}

export interface ParsedState {
  doc: StateDocument;
  /** One line per record that was dropped, saying where and why. */
  dropped: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads a state document record by record. Only a document that is not an object at all is
 * unusable (null is returned); a bad entry is dropped and named in `dropped`. The lists and
 * records of a version-1 file (`excluded`, `selected` at the top) are read too.
 */
export function parseState(raw: unknown): ParsedState | null {
  if (!isObject(raw)) return null;
  const doc = emptyState();
  const dropped: string[] = [];
  const lists = isObject(raw.lists) ? raw.lists : raw;
  for (const name of LIST_NAMES) {
    const entries = lists[name];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) {
      dropped.push(`list ${name}: not an array`);
      continue;
    }
    entries.forEach((entry, i) => {
      if (typeof entry === 'string') doc.lists[name].push(entry);
      else dropped.push(`list ${name}[${i}]: not a string`);
    });
  }
  if (isObject(raw.heal_records)) {
    for (const [id, record] of Object.entries(raw.heal_records)) {
      const parsed = healRecordSchema.safeParse(record);
      if (parsed.success) doc.heal_records[id] = parsed.data as HealRecord;
      else dropped.push(`heal record ${id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
  } else if (raw.heal_records !== undefined) dropped.push('heal_records: not an object');
  if (Array.isArray(raw.monitored_ids)) {
    for (const id of raw.monitored_ids) {
      if (typeof id === 'string') doc.monitored_ids.push(id);
      else dropped.push('monitored_ids: an entry is not a string');
    }
  } else if (raw.monitored_ids !== undefined) dropped.push('monitored_ids: not an array');
  if (raw.maintenance !== undefined && raw.maintenance !== null) {
    const parsed = maintenanceSchema.safeParse(raw.maintenance);
    if (parsed.success) doc.maintenance = parsed.data;
    else dropped.push(`maintenance: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (isObject(raw.silences)) {
    for (const [name, until] of Object.entries(raw.silences)) {
      if (typeof until === 'string' && !Number.isNaN(Date.parse(until))) doc.silences[name] = until;
      else dropped.push(`silence ${name}: not a time`);
    }
  } else if (raw.silences !== undefined) dropped.push('silences: not an object');
  return { doc, dropped };
}

function copyRecord(r: HealRecord): HealRecord {
  return { ...r, attempts: [...r.attempts] };
}

/** The operator's lists; `changed` is called after every change. */
export class ListBook implements Lists {
  #lists: Record<ListName, string[]> = emptyState().lists;

  constructor(private readonly changed: () => void = () => {}) {}

  load(doc: StateDocument): void {
    this.#lists = Object.fromEntries(LIST_NAMES.map((name) => [name, [...doc.lists[name]]])) as Record<
      ListName,
      string[]
    >;
  }

  toDocument(): StateDocument['lists'] {
    return Object.fromEntries(LIST_NAMES.map((name) => [name, [...this.#lists[name]]])) as Record<
      ListName,
      string[]
    >;
  }

  getList(name: ListName): string[] {
    return [...this.#lists[name]];
  }

  setList(name: ListName, entries: string[]): void {
    this.#lists[name] = [...entries];
    this.changed();
  }
}

/** Heal records and enrolled ids by container id; `changed` is called after every change. */
export class HealRecordBook implements HealRecords {
  #records = new Map<string, HealRecord>();
  #monitored = new Set<string>();

  constructor(private readonly changed: () => void = () => {}) {}

  load(doc: StateDocument): void {
    this.#records = new Map(Object.entries(doc.heal_records).map(([id, r]) => [id, copyRecord(r)]));
    this.#monitored = new Set(doc.monitored_ids);
  }

  toDocument(): Pick<StateDocument, 'heal_records' | 'monitored_ids'> {
    return {
      heal_records: Object.fromEntries([...this.#records].map(([id, r]) => [id, copyRecord(r)])),
      monitored_ids: [...this.#monitored],
    };
  }

  getHealRecord(id: string): HealRecord | null {
    const r = this.#records.get(id);
    return r ? copyRecord(r) : null;
  }

  setHealRecord(id: string, record: HealRecord | null): void {
    if (record === null) {
      if (this.#records.delete(id)) this.changed();
      return;
    }
    this.#records.set(id, copyRecord(record));
    this.changed();
  }

  markMonitored(id: string): boolean {
    if (this.#monitored.has(id)) return false;
    this.#monitored.add(id);
    this.changed();
    return true;
  }

  forgetMonitored(id: string): void {
    if (this.#monitored.delete(id)) this.changed();
  }

  knownContainerIds(): string[] {
    return [...new Set([...this.#monitored, ...this.#records.keys()])];
  }
}

/** The maintenance window and the silences; `changed` is called after every change. */
export class HoldBook implements Holds {
  #maintenance: MaintenanceWindow | null = null;
  #silences = new Map<string, string>();

  constructor(private readonly changed: () => void = () => {}) {}

  load(doc: StateDocument): void {
    this.#maintenance = doc.maintenance ? { ...doc.maintenance } : null;
    this.#silences = new Map(Object.entries(doc.silences));
  }

  toDocument(): Pick<StateDocument, 'maintenance' | 'silences'> {
    return {
      maintenance: this.#maintenance ? { ...this.#maintenance } : null,
      silences: Object.fromEntries(this.#silences),
    };
  }

  getMaintenance(): MaintenanceWindow | null {
    return this.#maintenance ? { ...this.#maintenance } : null;
  }

  setMaintenance(window: MaintenanceWindow | null): void {
    this.#maintenance = window ? { ...window } : null;
    this.changed();
  }

  getSilences(): Record<string, string> {
    return Object.fromEntries(this.#silences);
  }

  setSilence(name: string, until: string | null): void {
    if (until === null) {
      if (this.#silences.delete(name)) this.changed();
      return;
    }
    this.#silences.set(name, until);
    this.changed();
  }
}

/** The state document of the lists, the heal records and the holds. */
export function stateDocument(lists: ListBook, records: HealRecordBook, holds: HoldBook): StateDocument {
  return {
    version: STATE_VERSION,
    lists: lists.toDocument(),
    ...records.toDocument(),
    ...holds.toDocument(),
  };
}
