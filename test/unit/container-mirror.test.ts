import { describe, expect, it } from 'vitest';
import { ContainerMirror, MirrorContainerSource, MirroredEngine } from '../../src/engine/container-mirror.js';
import type {
  ContainerAction,
  ContainerEvent,
  ContainerSnapshot,
  Engine,
  HealthStatus,
} from '../../src/engine/types.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function snap(id: string, over: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return {
    id,
    name: `c-${id[0]}`,
    image: 'img',
    labels: { autoheal: 'true' },
    state: 'running',
    health: 'healthy',
    ...over,
  };
}

function ev(id: string, action: ContainerAction, health?: HealthStatus, name = `c-${id[0]}`): ContainerEvent {
  return { id, action, name, labels: {}, time: 1, timeNano: '1000000000', ...(health ? { health } : {}) };
}

/** An engine that counts inspects and lists, answering from `containers`. */
class CountingEngine implements Engine {
  inspects = 0;
  lists = 0;
  containers: ContainerSnapshot[] = [];
  async listContainers() {
    this.lists += 1;
    return this.containers.map((c) => ({ ...c }));
  }
  async inspect(id: string) {
    this.inspects += 1;
    return this.containers.find((c) => c.id === id) ?? null;
  }
  async restart() {}
  async stop() {}
  async ping() {}
  async blueprint() {
    return null;
  }
  async create(): Promise<string> {
    throw new Error('not used');
  }
  async rename() {}
  async start() {}
  async remove() {}
}

function setUp() {
  const engine = new CountingEngine();
  engine.containers = [snap(A), snap(B, { health: 'none' })];
  const mirror = new ContainerMirror();
  return { engine, mirror, mirrored: new MirroredEngine(engine, mirror) };
}

describe('the container mirror', () => {
  it('answers an inspect without the engine once the stream is up and a list has completed', async () => {
    const { engine, mirror, mirrored } = setUp();
    mirror.streamConnected();
    await mirrored.listContainers();
    mirror.apply(ev(A, 'health_status', 'unhealthy'));
    expect(await mirrored.inspect(A)).toMatchObject({ id: A, state: 'running', health: 'unhealthy' });
    expect(engine.inspects).toBe(0);
  });

  it('asks the engine while the stream is down, and before the first list after a reconnect', async () => {
    const { engine, mirror, mirrored } = setUp();
    await mirrored.listContainers();
    await mirrored.inspect(A);
    expect(engine.inspects).toBe(1);

    mirror.streamConnected();
    await mirrored.listContainers();
    mirror.streamLost();
    await mirrored.inspect(A);
    expect(engine.inspects).toBe(2);

    mirror.streamConnected();
    await mirrored.inspect(A);
    expect(engine.inspects).toBe(3);
    await mirrored.listContainers();
    await mirrored.inspect(A);
    expect(engine.inspects).toBe(3);
  });

  it('a list begun before a reconnect does not make the mirror trusted', async () => {
    const { engine, mirror } = setUp();
    mirror.streamConnected();
    const mark = mirror.beginList();
    mirror.streamLost();
    mirror.streamConnected();
    mirror.refresh(await engine.listContainers(), mark);
    expect(mirror.trusted).toBe(false);
  });

  it('follows pause, unpause, die, start, health and rename, so every safety check sees the state', async () => {
    const { mirror, mirrored } = setUp();
    mirror.streamConnected();
    await mirrored.listContainers();
    mirror.apply(ev(A, 'pause'));
    expect(await mirrored.inspect(A)).toMatchObject({ state: 'paused' });
    mirror.apply(ev(A, 'unpause'));
    expect(await mirrored.inspect(A)).toMatchObject({ state: 'running' });
    mirror.apply(ev(A, 'die'));
    expect(await mirrored.inspect(A)).toMatchObject({ state: 'exited' });
    mirror.apply(ev(A, 'start'));
    expect(await mirrored.inspect(A)).toMatchObject({ state: 'running', health: 'starting' });
    mirror.apply(ev(A, 'health_status', 'healthy'));
    expect(await mirrored.inspect(A)).toMatchObject({ health: 'healthy' });
    mirror.apply(ev(A, 'rename', undefined, 'renamed'));
    expect(await mirrored.inspect(A)).toMatchObject({ name: 'renamed' });
    // Without a healthcheck, a start does not invent one.
    mirror.apply(ev(B, 'start'));
    expect(await mirrored.inspect(B)).toMatchObject({ health: 'none' });
  });

  it('answers null for a destroyed container, and asks the engine about one it never listed', async () => {
    const { engine, mirror, mirrored } = setUp();
    mirror.streamConnected();
    await mirrored.listContainers();
    mirror.apply(ev(A, 'destroy'));
    expect(await mirrored.inspect(A)).toBeNull();
    const C = 'c'.repeat(64);
    mirror.apply(ev(C, 'start'));
    await mirrored.inspect(C);
    expect(engine.inspects).toBe(1);
  });

  it('keeps what events said while a list was under way: the list is older', async () => {
    const { engine, mirror } = setUp();
    mirror.streamConnected();
    mirror.refresh(await engine.listContainers(), mirror.beginList());
    const mark = mirror.beginList();
    const list = await engine.listContainers(); // A healthy, B present
    mirror.apply(ev(A, 'health_status', 'unhealthy'));
    mirror.apply(ev(B, 'destroy'));
    mirror.refresh(list, mark);
    expect(mirror.lookup(A)).toMatchObject({ health: 'unhealthy' });
    expect(mirror.lookup(B)).toBeNull();
  });

  it('forgets containers a later list no longer has', async () => {
    const { engine, mirror, mirrored } = setUp();
    mirror.streamConnected();
    await mirrored.listContainers();
    engine.containers = [snap(A)];
    await mirrored.listContainers();
    expect(mirror.lookup(B)).toBe('unknown');
    expect(mirror.size).toBe(1);
  });

  it('hands out copies: a caller cannot change the mirror', async () => {
    const { mirror, mirrored } = setUp();
    mirror.streamConnected();
    await mirrored.listContainers();
    const a = await mirrored.inspect(A);
    if (a) a.state = 'exited';
    expect(mirror.lookup(A)).toMatchObject({ state: 'running' });
  });
});

describe('the container list from the mirror', () => {
  it('serves the API from the mirror while trusted, and from the engine otherwise or while a new container is unlisted', async () => {
    const { engine, mirror, mirrored } = setUp();
    const source = new MirrorContainerSource(mirror, { list: () => mirrored.listContainers() });
    await source.list();
    expect(engine.lists).toBe(1);

    mirror.streamConnected();
    await source.list();
    expect(engine.lists).toBe(2);
    mirror.apply(ev(A, 'health_status', 'unhealthy'));
    const served = await source.list();
    expect(engine.lists).toBe(2);
    expect(served.find((c) => c.id === A)?.health).toBe('unhealthy');

    // A container created after the last list: the engine is asked, which completes the mirror.
    const C = 'c'.repeat(64);
    engine.containers.push(snap(C));
    mirror.apply(ev(C, 'start'));
    expect((await source.list()).map((c) => c.id)).toContain(C);
    expect(engine.lists).toBe(3);
    await source.list();
    expect(engine.lists).toBe(3);

    mirror.streamLost();
    await source.list();
    expect(engine.lists).toBe(4);
  });
});
