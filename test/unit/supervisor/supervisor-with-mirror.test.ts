/**
 * The supervisor's safety scenarios with the container mirror in front of the engine, as
 * main.ts wires it: the world changes only through engine events (as on a real host), and
 * every check still holds while heals stop asking the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { ContainerMirror, MirroredEngine } from '../../../src/engine/container-mirror.js';
import type { ContainerEvent, ContainerSnapshot } from '../../../src/engine/types.js';
import { silentLogger } from '../../../src/log.js';
import { MetricsRegistry } from '../../../src/metrics.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import { FakeEngine } from '../../support/fake-engine.js';

class CountingEngine extends FakeEngine {
  inspects = 0;
  override async inspect(id: string): Promise<ContainerSnapshot | null> {
    this.inspects += 1;
    return super.inspect(id);
  }
}

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop(10);
});

async function setup() {
  const settings = loadSettings({ env: { AUTOHEAL_DATA_DIR: '/nonexistent' } });
  const engine = new CountingEngine();
  const mirror = new ContainerMirror();
  const store = new MemoryStore({ eventsMax: 5000 });
  const supervisor = new Supervisor({
    engine: new MirroredEngine(engine, mirror),
    store,
    settings,
    logger: silentLogger(),
    metrics: new MetricsRegistry(),
    selfId: null,
  });
  supervisors.push(supervisor);
  const web = engine.add({ name: 'web', labels: { autoheal: 'true' } });
  /** The event source's order: the mirror first, then the supervisor. */
  const feed = (e: ContainerEvent) => {
    mirror.apply(e);
    supervisor.onEngineEvent(e);
  };
  const connect = async () => {
    mirror.streamConnected();
    supervisor.onEngineConnected({ reconnect: false });
    await supervisor.settled();
  };
  const trail = () =>
    store
      .list({ limit: 5000 })
      .filter((e) => e.container_id === web.id && e.event_type !== 'health')
      .reverse()
      .map((e) => `${e.event_type}/${e.status}`);
  const unhealthy = () => {
    engine.setHealth(web.id, 'unhealthy');
    feed(engine.event(web.id, 'health_status'));
  };
  return { engine, mirror, supervisor, web, feed, connect, trail, unhealthy };
}

describe('healing with the container mirror', () => {
  it('restarts an unhealthy container without asking the engine to inspect it', async () => {
    const { engine, supervisor, web, connect, trail, unhealthy } = await setup();
    await connect();
    unhealthy();
    await supervisor.settled();
    expect(engine.restartsOf(web.id)).toHaveLength(1);
    expect(engine.inspects).toBe(0);
    // The probe log is not in the mirror: it is read from the engine, beside the heal.
    expect(engine.calls.filter((c) => c.startsWith('probes:'))).toEqual([`probes:${web.id}`]);
    expect(trail()).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'restart/success']);
  });

  it('does not restart a container paused after it was reported (the pause event is in the mirror)', async () => {
    const { engine, supervisor, web, feed, connect, trail } = await setup();
    await connect();
    engine.setHealth(web.id, 'unhealthy');
    const report = engine.event(web.id, 'health_status');
    engine.setState(web.id, 'paused');
    feed(report);
    feed(engine.event(web.id, 'pause'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail()).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/not_running']);
  });

  it('does not restart a container that recovered before its heal ran, nor one that died', async () => {
    const { engine, mirror, supervisor, web, feed, connect, trail } = await setup();
    await connect();
    engine.setHealth(web.id, 'unhealthy');
    const report = engine.event(web.id, 'health_status');
    mirror.apply(report);
    supervisor.onEngineEvent(report);
    // The healthy report reaches the mirror while the unhealthy one waits in the intake.
    engine.setHealth(web.id, 'healthy');
    mirror.apply(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail()).toEqual(['auto_monitor/enabled', 'unhealthy/detected', 'skipped/recovered']);

    engine.setHealth(web.id, 'unhealthy');
    const second = engine.event(web.id, 'health_status');
    engine.setState(web.id, 'exited');
    feed(second);
    feed(engine.event(web.id, 'die'));
    await supervisor.settled();
    expect(engine.restarts).toEqual([]);
    expect(trail().at(-1)).toBe('skipped/not_running');
  });

  it('inspects first while the event stream is down', async () => {
    const { engine, mirror, supervisor, web, connect, unhealthy } = await setup();
    await connect();
    mirror.streamLost();
    supervisor.onEngineDisconnected({ error: 'gone', retryInMs: 1000 });
    unhealthy();
    await supervisor.settled();
    expect(engine.inspects).toBe(1);
    expect(engine.restartsOf(web.id)).toHaveLength(1);
  });
});
