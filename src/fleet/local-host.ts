/**
 * This autoheal as one host of its own fleet view: the same reads as a peer's, taken from
 * the supervisor and the store in process instead of over HTTP.
 */
import type { Settings } from '../config/settings.js';
import type { EngineConnectionStatus } from '../engine/types.js';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType, type AuditStore } from '../store/types.js';
import type { SupervisorControl } from '../supervisor/types.js';
import type { FleetEventQuery, HostIdentity, HostSource } from './types.js';

export interface LocalHostDeps {
  settings: Pick<Settings, 'hostname' | 'publicUrl'>;
  store: AuditStore;
  supervisor: Pick<SupervisorControl, 'listContainers'>;
  engineStatus: () => Pick<EngineConnectionStatus, 'connected'>;
  version: string;
}

function isEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

export class LocalHost implements HostSource {
  readonly self = true;
  readonly url: string;
  readonly #deps: LocalHostDeps;

  constructor(deps: LocalHostDeps) {
    this.#deps = deps;
    this.url = deps.settings.publicUrl ?? '';
  }

  async identity(): Promise<HostIdentity> {
    return {
      host: this.#deps.settings.hostname,
      version: this.#deps.version,
      publicUrl: this.#deps.settings.publicUrl,
      engineConnected: this.#deps.engineStatus().connected,
    };
  }

  containers() {
    return this.#deps.supervisor.listContainers();
  }

  async events(query: FleetEventQuery): Promise<AuditEvent[]> {
    return this.#deps.store.find({
      ...(query.type !== undefined && isEventType(query.type) && { type: query.type }),
      ...(query.container !== undefined && { container: query.container }),
      ...(query.since !== undefined && { since: query.since }),
      limit: query.limit,
    });
  }

  async follow(
    onEvent: (event: AuditEvent) => void,
    afterId: number | null,
    signal: AbortSignal,
  ): Promise<void> {
    let lastId = afterId ?? 0;
    const deliver = (event: AuditEvent) => {
      if (event.id <= lastId) return;
      lastId = event.id;
      onEvent(event);
    };
    // Live events wait while the replay is read, so they come after it, in id order.
    const waiting: AuditEvent[] = [];
    let replayed = afterId === null;
    const unsubscribe = this.#deps.store.subscribe((event) => {
      if (replayed) deliver(event);
      else waiting.push(event);
    });
    if (afterId !== null) {
      for (const e of (await this.#deps.store.find({ afterId, limit: 1000 })).reverse()) deliver(e);
      replayed = true;
      for (const e of waiting) deliver(e);
    }
    await new Promise<void>((resolve) => {
      const end = () => {
        unsubscribe();
        resolve();
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    });
  }
}
