/**
 * What the supervisor offers the API: a view of every container with autoheal's verdict
 * on it, and the operator's levers (restart now, re-arm, edit the lists).
 */
import type { HealthStatus } from '../engine/types.js';
import type { AuditEvent, ListName } from '../store/types.js';
import type { DampingView } from './damping-view.js';
import type { MaintenanceView } from './hold-keeper.js';

export type { MaintenanceView } from './hold-keeper.js';

export type EnrolledBy = 'label' | 'all' | 'selected' | null;

/** One row of `GET /api/containers`. */
export interface ContainerView {
  id: string;
  name: string;
  image: string;
  state: string;
  health: HealthStatus;
  monitored: boolean;
  excluded: boolean;
  enrolled_by: EnrolledBy;
  restart_count: number;
  last_restart_at: string | null;
  /** autoheal gave up on it (too many restarts); re-armed when healthy or by a reset. */
  gave_up: boolean;
  /** ISO end of the container's silence while one is in force, else null. */
  silenced_until: string | null;
  /** First line of the last failing health probe's output autoheal read (since it started), or null. */
  last_probe_output: string | null;
  /** Its restart-loop damping: restarts in the window, back-off, given up. */
  damping: DampingView;
  labels: Record<string, string>;
}

export type ListChange =
  | { ok: true; changed: boolean; entries: string[] }
  | { ok: false; reason: 'from_config' | 'absent' };

/** The outcome of an operator's "restart now". */
export type RestartNowResult =
  | { ok: true; event: AuditEvent }
  | {
      ok: false;
      /** `busy`: a heal of it is queued or running; `self`: it is autoheal's own container. */
      reason: 'not_found' | 'busy' | 'self' | 'stopping';
    };

/** The outcome of silencing a container or ending its silence. */
export type SilenceResult =
  | { ok: true; container: ContainerView }
  | { ok: false; reason: 'not_found' | 'not_silenced' };

export interface SupervisorControl {
  /** Every container the engine has. Rejects when the engine is unreachable. */
  listContainers(): Promise<ContainerView[]>;
  /** By name, full id, or id prefix of at least 12 hex characters; null when none matches. */
  findContainer(ref: string): Promise<ContainerView | null>;
  /** Restarts now (trigger `api`); resolves with the `restart` (or `skipped`) audit event. */
  restartNow(ref: string): Promise<RestartNowResult>;
  /** Re-arms a container autoheal gave up on; resolves false when it was not given up on. */
  reset(ref: string): Promise<boolean>;
  /** The effective excluded list: configuration's entries then the API's. */
  effectiveExcluded(): string[];
  /** Replace, add to, or remove from an API-managed list; records `config_change`. */
  replaceList(list: ListName, entries: string[]): ListChange;
  addToList(list: ListName, entry: string): ListChange;
  removeFromList(list: ListName, entry: string): ListChange;
  /** The maintenance window as the API shows it. */
  maintenance(): MaintenanceView;
  /** Starts (or extends) maintenance; records it and notifies once. */
  startMaintenance(minutes: number, reason: string): MaintenanceView;
  /** Ends maintenance now and reconciles; false when none was on. */
  endMaintenance(): boolean;
  /** Silences one container (by ref) for `minutes`. Rejects when the engine is unreachable. */
  silence(ref: string, minutes: number): Promise<SilenceResult>;
  /** Ends a container's silence now and reconciles. Rejects when the engine is unreachable. */
  unsilence(ref: string): Promise<SilenceResult>;
}
