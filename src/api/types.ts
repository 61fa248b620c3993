/**
 * What the HTTP API needs from the rest of autoheal, handed to `createApp` by `main.ts`.
 * Every resource module receives these same dependencies.
 */
import type { Settings } from '../config/settings.js';
import type { EngineConnectionStatus } from '../engine/types.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { AuditStore } from '../store/types.js';
import type { SupervisorControl } from '../supervisor/types.js';

/** The heal queue's counters as `/api/health` shows them; extra counters are passed through. */
export interface QueueStatus {
  size: number;
  pending: number;
  dropped: number;
  readonly [counter: string]: number;
}

export interface ApiDeps {
  settings: Settings;
  store: AuditStore;
  supervisor: SupervisorControl;
  engineStatus: () => EngineConnectionStatus;
  queueStatus: () => QueueStatus;
  metrics: MetricsRegistry;
  /** The bearer token every change must carry (see `resolveApiToken`). */
  token: string;
  /** `AUTOHEAL_API_READ_TOKEN`: accepted for reads only. */
  readToken?: string | null;
  logger: Logger;
  version: string;
  startedAt: Date;
  /** Sends a test message through every configured channel; absent: none configured. */
  notifications?: { test(): Promise<Array<{ channel: string; ok: boolean; error: string | null }>> };
  /** Directory of the web UI, served at `/` when it exists. */
  webDir?: string;
  now?: () => Date;
  /** This autoheal and its peers; `/api/fleet` is served when it is given. */
  fleet?: Fleet;
}
