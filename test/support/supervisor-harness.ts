/**
 * A supervisor wired to the fake engine, the in-memory store and a recording notifier, for
 * the domain's unit scenarios; `trail(id)` reads a container's audit trail oldest first as
 * `event_type/status`, without its `health` transitions, which `healthTrail(id)` reads
 * (their own scenarios are in health-transitions.test.ts).
 */

import { loadSettings } from '../../src/config/load.js';
import type { ContainerSource } from '../../src/engine/container-source.js';
import { silentLogger } from '../../src/log.js';
import { MetricsRegistry } from '../../src/metrics.js';
import type { Notification } from '../../src/notify/message.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { FakeEngine } from './fake-engine.js';

export class RecordingNotifier {
  readonly sent: Notification[] = [];
  readonly scripts: Array<{ containerName: string; state: string }> = [];
  readonly notices: string[] = [];
  notify(n: Notification): void {
    this.sent.push(n);
  }
  notice(text: string): void {
    this.notices.push(text);
  }
  runPostRestartScript(call: {
    containerName: string;
    containerId: string;
    state: string;
    stopTimeoutS: number;
  }): void {
    this.scripts.push({ containerName: call.containerName, state: call.state });
  }
}

export interface HarnessOptions {
  env?: Record<string, string>;
  store?: MemoryStore;
  now?: () => number;
  selfId?: string | null;
  intakeCapacity?: number;
  /** Builds the container source the API's views list from (default: the engine itself). */
  containers?: (engine: FakeEngine) => ContainerSource;
}

const running: Supervisor[] = [];

/** Stops every supervisor the harness made (call in afterEach). */
export async function stopSupervisors(waitMs = 10): Promise<void> {
  for (const s of running.splice(0)) await s.stop(waitMs);
}

export function supervisorHarness(options: HarnessOptions = {}) {
  const settings = loadSettings({ env: { AUTOHEAL_DATA_DIR: '/nonexistent', ...options.env } });
  const engine = new FakeEngine();
  const store = options.store ?? new MemoryStore({ eventsMax: 5000 });
  const metrics = new MetricsRegistry();
  const notifier = new RecordingNotifier();
  const supervisor = new Supervisor({
    engine,
    store,
    settings,
    logger: silentLogger(),
    metrics,
    notifier,
    selfId: options.selfId ?? null,
    ...(options.now ? { now: options.now } : {}),
    ...(options.intakeCapacity ? { intakeCapacity: options.intakeCapacity } : {}),
    ...(options.containers ? { containers: options.containers(engine) } : {}),
  });
  running.push(supervisor);
  const all = (id: string) =>
    store
      .list({ limit: 5000 })
      .filter((e) => e.container_id === id)
      .reverse();
  const trail = (id: string) =>
    all(id)
      .filter((e) => e.event_type !== 'health')
      .map((e) => `${e.event_type}/${e.status}`);
  /** The `health` transitions, as `state<previous` (`healthy<unhealthy`; `<null` for the first). */
  const healthTrail = (id: string) =>
    all(id)
      .filter((e) => e.event_type === 'health')
      .map((e) => `${e.status}<${String(e.details.previous)}`);
  return { settings, engine, store, metrics, notifier, supervisor, trail, healthTrail };
}
