/**
 * Hand-made hosts for the fleet's unit tests: each answers from fixed data, can be made
 * to fail or to hang (ignoring the deadline, as a stuck peer would), and counts its calls.
 */
import type { FleetEventQuery, HostIdentity, HostSource } from '../../src/fleet/types.js';
import type { AuditEvent } from '../../src/store/types.js';
import type { ContainerView } from '../../src/supervisor/types.js';

export type Behaviour = 'answer' | 'fail' | 'hang';

export function container(name: string, extra: Partial<ContainerView> = {}): ContainerView {
  return {
    id: `${name.padEnd(12, '0')}`.replace(/[^0-9a-f]/g, 'a').padEnd(64, '0'),
    name,
    image: 'busybox',
    state: 'running',
    health: 'healthy',
    monitored: true,
    excluded: false,
    enrolled_by: 'label',
    restart_count: 0,
    last_restart_at: null,
    gave_up: false,
    silenced_until: null,
    last_probe_output: null,
    damping: {
      restarts_in_window: 0,
      max_restarts: 10,
      window_s: 3600,
      backoff_s: 0,
      next_attempt_at: null,
      gave_up_at: null,
    },
    labels: {},
    ...extra,
  };
}

export function event(
  id: number,
  timestamp: string,
  name: string,
  extra: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    id,
    timestamp,
    event_type: 'restart',
    container_id: null,
    container_name: name,
    status: 'success',
    restart_count: 1,
    message: `restarted ${name}`,
    details: {},
    ...extra,
  };
}

export class FakeHost implements HostSource {
  behaviour: Behaviour = 'answer';
  calls = 0;
  queries: FleetEventQuery[] = [];
  #listeners = new Set<(e: AuditEvent) => void>();

  constructor(
    readonly url: string,
    readonly name: string,
    public list: ContainerView[] = [],
    public trail: AuditEvent[] = [],
    readonly self = false,
  ) {}

  #answer<T>(value: T): Promise<T> {
    this.calls += 1;
    if (this.behaviour === 'fail') return Promise.reject(new Error(`cannot reach ${this.url}: ECONNREFUSED`));
    if (this.behaviour === 'hang') return new Promise<T>(() => {});
    return Promise.resolve(value);
  }

  identity(): Promise<HostIdentity> {
    return this.#answer({ host: this.name, version: '1.2.3', publicUrl: null, engineConnected: true });
  }

  containers(): Promise<ContainerView[]> {
    return this.#answer(this.list);
  }

  events(query: FleetEventQuery): Promise<AuditEvent[]> {
    this.queries.push(query);
    return this.#answer(this.trail.slice(0, query.limit));
  }

  /** Sends a live event to whoever follows this host. */
  emit(e: AuditEvent): void {
    for (const l of this.#listeners) l(e);
  }

  follow(onEvent: (e: AuditEvent) => void, _afterId: number | null, signal: AbortSignal): Promise<void> {
    if (this.behaviour !== 'answer')
      return Promise.reject(new Error(`cannot reach ${this.url}: ECONNREFUSED`));
    this.#listeners.add(onEvent);
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        this.#listeners.delete(onEvent);
        resolve();
      });
    });
  }
}
