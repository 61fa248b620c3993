/**
 * The rules of the operator's "not now": whether a maintenance window or a container's
 * silence holds a heal back at a given moment, and when the next hold ends. Pure: the
 * keeper (hold-keeper.ts) applies them with the store and a clock.
 */
import type { MaintenanceWindow } from '../store/types.js';

/** Longest maintenance window or silence the API accepts: a week. */
export const MAX_HOLD_MINUTES = 7 * 24 * 60;

export type HoldKind = 'maintenance' | 'silenced';

/** Why a heal is held back, and until when. */
export interface Hold {
  kind: HoldKind;
  /** ISO time the hold ends by itself. */
  until: string;
  /** The operator's reason (maintenance only; empty for a silence). */
  reason: string;
}

/** What the holds are at one moment, as kept in the store. */
export interface HoldState {
  maintenance: MaintenanceWindow | null;
  /** Container name → ISO end of its silence. */
  silences: Readonly<Record<string, string>>;
}

/** A window or silence is in force until (not at) its end. */
export function inForce(untilIso: string, nowMs: number): boolean {
  return Date.parse(untilIso) > nowMs;
}

/** The maintenance window in force now, or null. */
export function activeMaintenance(state: HoldState, nowMs: number): MaintenanceWindow | null {
  return state.maintenance !== null && inForce(state.maintenance.until, nowMs) ? state.maintenance : null;
}

/** The end of this container's silence if it is silenced now, else null. */
export function silencedUntil(state: HoldState, name: string, nowMs: number): string | null {
  const until = state.silences[name];
  return until !== undefined && inForce(until, nowMs) ? until : null;
}

/**
 * What holds this container's heal back now: maintenance first (it covers every
 * container), then its own silence; null when autoheal may act.
 */
export function holdOn(state: HoldState, name: string, nowMs: number): Hold | null {
  const window = activeMaintenance(state, nowMs);
  if (window !== null) return { kind: 'maintenance', until: window.until, reason: window.reason };
  const until = silencedUntil(state, name, nowMs);
  return until !== null ? { kind: 'silenced', until, reason: '' } : null;
}

/** The holds that have run out by now: the window (if it did) and the silenced names. */
export function expired(state: HoldState, nowMs: number): { maintenance: boolean; silences: string[] } {
  return {
    maintenance: state.maintenance !== null && !inForce(state.maintenance.until, nowMs),
    silences: Object.entries(state.silences)
      .filter(([, until]) => !inForce(until, nowMs))
      .map(([name]) => name),
  };
}

/** When the next hold runs out (ms since the epoch), or null when nothing is held. */
export function nextExpiry(state: HoldState): number | null {
  const ends = [
    ...(state.maintenance !== null ? [Date.parse(state.maintenance.until)] : []),
    ...Object.values(state.silences).map((until) => Date.parse(until)),
  ];
  return ends.length === 0 ? null : Math.min(...ends);
}
