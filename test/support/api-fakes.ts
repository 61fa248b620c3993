/**
 * Test doubles for the API tests: a supervisor over a fixed set of containers (with an
 * engine that can be switched off), real settings and a MemoryStore, and a request helper.
 */

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { type ApiApp, type ApiDeps, createApp } from '../../src/api/app.js';
import type { QueueStatus } from '../../src/api/types.js';
import { loadSettings } from '../../src/config/load.js';
import type { Settings } from '../../src/config/settings.js';
import type { EngineConnectionStatus } from '../../src/engine/types.js';
import type { Fleet } from '../../src/fleet/fleet.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { MetricsRegistry } from '../../src/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { AuditStore, ListName } from '../../src/store/types.js';
import { HoldKeeper } from '../../src/supervisor/hold-keeper.js';
import { Recorder } from '../../src/supervisor/record/recorder.js';
import type {
  ContainerView,
  ListChange,
  MaintenanceView,
  RestartNowResult,
  SilenceResult,
  SupervisorControl,
} from '../../src/supervisor/types.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const WEB_ID = `${'a1b2c3d4e5f6'}${'0'.repeat(52)}`;
export const DB_ID = `${'b1b2c3d4e5f6'}${'1'.repeat(52)}`;

export function container(
  overrides: Partial<ContainerView> & Pick<ContainerView, 'id' | 'name'>,
): ContainerView {
  return {
    image: 'nginx:alpine',
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
    labels: { autoheal: 'true' },
    ...overrides,
  };
}

/** What the real supervisor does for the API, reduced to the observable contract. */
export class FakeSupervisor implements SupervisorControl {
  engineUp = true;
  readonly gaveUp = new Set<string>();
  readonly restarts: string[] = [];
  /** Names with a heal in flight: "restart now" is refused with 409. */
  readonly busy = new Set<string>();
  /** The engine's error text for the next restarts; null makes them succeed. */
  restartError: string | null = null;
  containers: ContainerView[] = [
    container({ id: WEB_ID, name: 'web' }),
    container({ id: DB_ID, name: 'db', health: 'unhealthy', enrolled_by: null, monitored: false }),
  ];

  /** The OpenAPI test's state with maintenance on and web silenced before each request. */
  holdsOn = false;
  /** Reconciles the holds asked for when one ended. */
  reconciles = 0;
  /** The real keeper of maintenance and silences, over the same store. */
  readonly holds: HoldKeeper;

  constructor(
    private readonly store: AuditStore,
    private readonly configExcluded: readonly string[],
    now: () => number = Date.now,
  ) {
    this.holds = new HoldKeeper({
      store,
      recorder: new Recorder({ store, metrics: new MetricsRegistry(), logger: silentLogger() }),
      now,
      onEnded: () => {
        this.reconciles += 1;
      },
    });
  }

  maintenance(): MaintenanceView {
    return this.holds.maintenance();
  }

  startMaintenance(minutes: number, reason: string): MaintenanceView {
    this.holds.startMaintenance(minutes, reason);
    return this.holds.maintenance();
  }

  endMaintenance(): boolean {
    return this.holds.endMaintenance();
  }

  async silence(ref: string, minutes: number): Promise<SilenceResult> {
    this.#engine();
    const c = this.#find(ref);
    if (c === null) return { ok: false, reason: 'not_found' };
    const until = this.holds.silence(c.id, c.name, minutes);
    return { ok: true, container: { ...c, silenced_until: until } };
  }

  async unsilence(ref: string): Promise<SilenceResult> {
    this.#engine();
    const c = this.#find(ref);
    if (c === null) return { ok: false, reason: 'not_found' };
    if (!this.holds.unsilence(c.id, c.name)) return { ok: false, reason: 'not_silenced' };
    return { ok: true, container: { ...c, silenced_until: null } };
  }

  #engine(): void {
    if (!this.engineUp) throw new Error('connect ENOENT /var/run/docker.sock');
  }

  #find(ref: string): ContainerView | null {
    return (
      this.containers.find(
        (c) =>
          c.name === ref ||
          c.id === ref ||
          (ref.length >= 12 && /^[0-9a-f]+$/.test(ref) && c.id.startsWith(ref)),
      ) ?? null
    );
  }

  async listContainers(): Promise<ContainerView[]> {
    this.#engine();
    return this.containers;
  }

  async findContainer(ref: string): Promise<ContainerView | null> {
    this.#engine();
    return this.#find(ref);
  }

  async restartNow(ref: string): Promise<RestartNowResult> {
    this.#engine();
    const c = this.#find(ref);
    if (c === null) return { ok: false, reason: 'not_found' };
    if (this.busy.has(c.name)) return { ok: false, reason: 'busy' };
    this.restarts.push(c.name);
    const error = this.restartError;
    const event = this.store.append({
      event_type: 'restart',
      container_id: c.id,
      container_name: c.name,
      status: error === null ? 'success' : 'failed',
      message: error === null ? `Restarted ${c.name} on request` : `Restart of ${c.name} failed: ${error}`,
      details: { trigger: 'api', duration_ms: 5, ...(error === null ? {} : { error }) },
    });
    return { ok: true, event };
  }

  async reset(ref: string): Promise<boolean> {
    this.#engine();
    const c = this.#find(ref);
    return c !== null && this.gaveUp.delete(c.id);
  }

  effectiveExcluded(): string[] {
    return [...new Set([...this.configExcluded, ...this.store.getList('excluded')])];
  }

  #record(list: ListName, before: string[], after: string[]): ListChange {
    const changed = before.length !== after.length || before.some((e, i) => e !== after[i]);
    if (changed) {
      this.store.setList(list, after);
      this.store.append({
        event_type: 'config_change',
        status: 'changed',
        message: `${list} changed`,
        details: { list, before, after },
      });
    }
    return { ok: true, changed, entries: [...after] };
  }

  replaceList(list: ListName, entries: string[]): ListChange {
    return this.#record(list, this.store.getList(list), entries);
  }

  addToList(list: ListName, entry: string): ListChange {
    const before = this.store.getList(list);
    return this.#record(list, before, before.includes(entry) ? before : [...before, entry]);
  }

  removeFromList(list: ListName, entry: string): ListChange {
    const before = this.store.getList(list);
    if (!before.includes(entry)) {
      if (list === 'excluded' && this.configExcluded.includes(entry))
        return { ok: false, reason: 'from_config' };
      return { ok: false, reason: 'absent' };
    }
    return this.#record(
      list,
      before,
      before.filter((e) => e !== entry),
    );
  }
}

export function testSettings(env: Record<string, string> = {}): Settings {
  return loadSettings({
    env: {
      AUTOHEAL_EXCLUDE: 'cfg-*,legacy',
      AUTOHEAL_DATA_DIR: '/nonexistent/autoheal-test',
      AUTOHEAL_HOSTNAME: 'test-host',
      AUTOHEAL_API_TOKEN: TOKEN,
      ...env,
    },
  });
}

/** A logger whose JSON lines are kept, so tests can say what was (not) logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}

export interface TestApi extends ApiApp {
  store: MemoryStore;
  supervisor: FakeSupervisor;
  engine: EngineConnectionStatus;
  queue: QueueStatus;
  settings: Settings;
  lines: string[];
}

export function makeApi(
  options: {
    settings?: Settings;
    webDir?: string;
    heartbeatMs?: number;
    writeDeadlineMs?: number;
    now?: () => Date;
    notifications?: ApiDeps['notifications'];
    fleet?: Fleet;
  } = {},
): TestApi {
  const settings = options.settings ?? testSettings();
  const store = new MemoryStore({ eventsMax: 5000 });
  const clock = options.now ?? (() => new Date('2026-11-21T12:00:00.000Z'));
  const supervisor = new FakeSupervisor(store, settings.exclude, () => clock().getTime());
  const engine: EngineConnectionStatus = {
    connected: true,
    lastEventAt: '2026-11-21T12:00:00.000Z',
    reconnects: 2,
    parseErrors: 0,
    duplicatesDropped: 0,
    eventsByAction: {},
  };
  const queue: QueueStatus = { size: 1, pending: 0, dropped: 3 };
  const metrics = new MetricsRegistry();
  metrics.counter('autoheal_restarts_total', 'Restarts by result').inc({ result: 'success' });
  const { logger, lines } = capturingLogger();
  const api = createApp(
    {
      settings,
      store,
      supervisor,
      engineStatus: () => engine,
      queueStatus: () => queue,
      metrics,
      token: TOKEN,
      readToken: settings.apiReadToken,
      logger,
      version: '0.1.0-test',
      startedAt: new Date('2026-11-21T11:00:00.000Z'),
      now: clock,
      ...(options.notifications !== undefined && { notifications: options.notifications }),
      ...(options.webDir !== undefined && { webDir: options.webDir }),
      ...(options.fleet !== undefined && { fleet: options.fleet }),
    },
    {
      ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
      ...(options.writeDeadlineMs !== undefined && { writeDeadlineMs: options.writeDeadlineMs }),
    },
  );
  return { ...api, store, supervisor, engine, queue, settings, lines };
}

export interface Call {
  method?: string;
  token?: string | null;
  json?: unknown;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** The client's address as the socket would say (node-server's bindings); `unknown` when absent. */
  address?: string;
}

/** One request through `app.request()`; `json` is sent as application/json. */
export async function call(api: ApiApp, path: string, init: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  }
  const request: RequestInit & { duplex?: 'half' } = { method: init.method ?? 'GET', headers };
  if (body !== undefined) {
    request.body = body;
    if (body instanceof ReadableStream) request.duplex = 'half';
  }
  const env =
    init.address === undefined ? undefined : { incoming: { socket: { remoteAddress: init.address } } };
  return api.app.request(path, request, env);
}

export async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: unknown };
  if (typeof body.error !== 'string') throw new Error(`no error message in ${JSON.stringify(body)}`);
  return body.error;
}

/** Everything a refused request must leave alone. */
export function snapshot(api: TestApi): string {
  return JSON.stringify({
    excluded: api.store.getList('excluded'),
    selected: api.store.getList('selected'),
    events: api.store.list({ limit: 10_000 }).map((e) => e.id),
    restarts: api.supervisor.restarts,
    gaveUp: [...api.supervisor.gaveUp],
  });
}
