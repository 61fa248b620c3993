/**
 * What the fleet view is made of: one `HostSource` per autoheal (this one, read in
 * process, and each peer, read over HTTP), and the merged rows every item of which names
 * its host. Reads only: nothing here can change a host.
 */
import type { AuditEvent } from '../store/types.js';
import type { ContainerView } from '../supervisor/types.js';

/** The numbers a host card shows. */
export interface HostCounts {
  containers: number;
  monitored: number;
  /** Monitored containers whose health check says unhealthy. */
  unhealthy: number;
  given_up: number;
}

/** What a host says about itself (its `/api/health`, for a peer). */
export interface HostIdentity {
  host: string;
  version: string;
  /** Where people reach its UI, when it says so (`AUTOHEAL_PUBLIC_URL`). */
  publicUrl: string | null;
  engineConnected: boolean;
}

/** The filters of `/api/events` a fleet query passes on to every host. */
export interface FleetEventQuery {
  type?: string;
  container?: string;
  since?: string;
  limit: number;
}

/** One autoheal the fleet view reads. Every call honours `signal` (the fan-in's deadline). */
export interface HostSource {
  /** The base URL it is read at; for this host, its public URL or ''. */
  readonly url: string;
  readonly self: boolean;
  identity(signal: AbortSignal): Promise<HostIdentity>;
  containers(signal: AbortSignal): Promise<ContainerView[]>;
  events(query: FleetEventQuery, signal: AbortSignal): Promise<AuditEvent[]>;
  /**
   * Follows the host's live audit stream until `signal` aborts or the stream fails (then
   * it rejects, and the caller reconnects). `afterId` asks for the events after it.
   */
  follow(onEvent: (event: AuditEvent) => void, afterId: number | null, signal: AbortSignal): Promise<void>;
}

/** One host's answer to a fan-in: its value, or why there is none. */
export type HostAnswer<T> =
  | { source: HostSource; ok: true; value: T }
  | { source: HostSource; ok: false; error: string };

/** One card of `GET /api/fleet`. */
export interface FleetHost {
  host: string;
  url: string;
  /** The link to the host's own UI. */
  ui_url: string;
  self: boolean;
  /** It answered within the deadline. */
  ok: boolean;
  error: string | null;
  version: string | null;
  engine_connected: boolean | null;
  counts: HostCounts | null;
}

export type HostedContainer = ContainerView & { host: string };
export type HostedEvent = AuditEvent & { host: string };
