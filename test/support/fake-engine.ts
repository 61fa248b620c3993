/**
 * An in-memory engine for the supervisor's unit tests: containers are plain objects the
 * test changes, restarts are recorded, and a restart can be held open to model a slow stop.
 */
import type {
  ContainerBlueprint,
  ContainerEvent,
  ContainerSnapshot,
  Engine,
  HealthStatus,
} from '../../src/engine/types.js';

export interface RestartCall {
  id: string;
  stopTimeoutS: number;
}

/** The calls of a re-create, each of which a test can make fail once. */
export type LifecycleCall = 'blueprint' | 'create' | 'rename' | 'start' | 'stop' | 'remove';

export class FakeEngine implements Engine {
  readonly containers = new Map<string, ContainerSnapshot>();
  readonly restarts: RestartCall[] = [];
  /** Restarts of these ids wait until `release(id)`. */
  private readonly held = new Map<string, Array<() => void>>();
  private readonly holdIds = new Set<string>();
  failNextRestart: string | null = null;
  unreachable = false;
  /** Every call made, in order, as `<method>:<id>` (`list` for a list). */
  readonly calls: string[] = [];
  /** Called during each list, before it answers: lets a test change the world mid-list. */
  duringList: (() => void) | null = null;
  private seq = 0;

  add(over: Partial<ContainerSnapshot> & { name: string }): ContainerSnapshot {
    this.seq += 1;
    const id = over.id ?? `${this.seq.toString(16).padStart(4, '0')}${'ab'.repeat(30)}`;
    const c: ContainerSnapshot = {
      image: 'img',
      labels: {},
      state: 'running',
      health: 'healthy',
      ...over,
      id,
    };
    this.containers.set(id, c);
    return c;
  }

  setHealth(id: string, health: HealthStatus): void {
    const c = this.containers.get(id);
    if (c) this.containers.set(id, { ...c, health });
  }

  setState(id: string, state: string): void {
    const c = this.containers.get(id);
    if (c) this.containers.set(id, { ...c, state });
  }

  hold(id: string): void {
    this.holdIds.add(id);
  }

  release(id: string): void {
    this.holdIds.delete(id);
    for (const resolve of this.held.get(id) ?? []) resolve();
    this.held.delete(id);
  }

  restartsOf(id: string): RestartCall[] {
    return this.restarts.filter((r) => r.id === id);
  }

  /** The event the engine would send for this container. */
  event(id: string, action: ContainerEvent['action'], extra: Partial<ContainerEvent> = {}): ContainerEvent {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    this.seq += 1;
    return {
      action,
      id,
      name: c.name,
      labels: c.labels,
      time: Math.floor(Date.now() / 1000),
      timeNano: `${Date.now()}000${this.seq}`,
      ...(action === 'health_status' ? { health: c.health } : {}),
      ...extra,
    };
  }

  async listContainers(): Promise<ContainerSnapshot[]> {
    if (this.unreachable) throw new Error('connect ENOENT /var/run/docker.sock');
    this.calls.push('list');
    const snapshot = [...this.containers.values()].map((c) => ({ ...c }));
    const hook = this.duringList;
    this.duringList = null;
    if (hook) {
      hook();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return snapshot;
  }

  /** Called during each inspect, before it answers: lets a test change the world mid-heal. */
  duringInspect: ((id: string) => void) | null = null;

  /** The probe-log read beside a heal (a real engine's inspect, never the mirror's). */
  async probes(id: string): Promise<ContainerSnapshot['probes'] | null> {
    if (this.unreachable) throw new Error('connect ENOENT /var/run/docker.sock');
    this.calls.push(`probes:${id}`);
    return this.containers.get(id)?.probes ?? null;
  }

  async inspect(id: string): Promise<ContainerSnapshot | null> {
    if (this.unreachable) throw new Error('connect ENOENT /var/run/docker.sock');
    this.calls.push(`inspect:${id}`);
    const c = this.containers.get(id);
    const hook = this.duringInspect;
    this.duringInspect = null;
    if (hook) {
      hook(id);
      // Answer only after the event loop had a turn, as a real engine would.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return c ? { ...c } : null;
  }

  async restart(id: string, stopTimeoutS: number): Promise<void> {
    this.restarts.push({ id, stopTimeoutS });
    this.calls.push(`restart:${id}`);
    if (this.holdIds.has(id)) {
      await new Promise<void>((resolve) => {
        const list = this.held.get(id) ?? [];
        list.push(resolve);
        this.held.set(id, list);
      });
    }
    if (this.failNextRestart === id) {
      this.failNextRestart = null;
      throw new Error('Cannot restart container: driver failed programming external connectivity');
    }
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    this.containers.set(id, { ...c, health: 'starting', state: 'running' });
  }

  readonly stops: RestartCall[] = [];

  async stop(id: string, stopTimeoutS: number): Promise<void> {
    this.stops.push({ id, stopTimeoutS });
    this.calls.push(`stop:${id}`);
    this.lifecycle('stop', `stop ${id}`);
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    this.containers.set(id, { ...c, state: 'exited', health: 'unhealthy' });
  }

  async ping(): Promise<void> {
    if (this.unreachable) throw new Error('connect ENOENT /var/run/docker.sock');
  }

  // ── Re-create calls: each one is logged in `lifecycleCalls`, and `failNext` makes one fail once ──

  /** e.g. `rename <id> <name>`, `create <name> container:<id>`, in call order. */
  readonly lifecycleCalls: string[] = [];
  failNext: Partial<Record<LifecycleCall, string>> = {};
  /** The blueprints handed to `create`, by the new container's id. */
  readonly createdFrom = new Map<string, ContainerBlueprint>();

  private lifecycle(call: LifecycleCall, text: string): void {
    this.lifecycleCalls.push(text);
    const error = this.failNext[call];
    if (error !== undefined) {
      delete this.failNext[call];
      throw new Error(error);
    }
  }

  private existing(id: string): ContainerSnapshot {
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    return c;
  }

  async blueprint(id: string): Promise<ContainerBlueprint | null> {
    this.lifecycle('blueprint', `blueprint ${id}`);
    const c = this.containers.get(id);
    if (!c) return null;
    return {
      id: c.id,
      name: c.name,
      labels: c.labels,
      state: c.state,
      networkMode: c.networkMode ?? null,
      createBody: { Image: c.image, Labels: { ...c.labels } },
    };
  }

  async create(blueprint: ContainerBlueprint, name: string, networkMode: string): Promise<string> {
    this.lifecycle('create', `create ${name} ${networkMode}`);
    if ([...this.containers.values()].some((c) => c.name === name))
      throw new Error(`Conflict. The container name "/${name}" is already in use`);
    const c = this.add({
      name,
      labels: { ...blueprint.labels },
      image: String(blueprint.createBody.Image),
      state: 'created',
      health: 'none',
      networkMode,
    });
    this.createdFrom.set(c.id, blueprint);
    return c.id;
  }

  async rename(id: string, name: string): Promise<void> {
    this.lifecycle('rename', `rename ${id} ${name}`);
    const c = this.existing(id);
    if ([...this.containers.values()].some((o) => o.name === name && o.id !== id))
      throw new Error(`Conflict. The container name "/${name}" is already in use`);
    this.containers.set(id, { ...c, name });
  }

  async start(id: string): Promise<void> {
    this.lifecycle('start', `start ${id}`);
    const c = this.existing(id);
    this.containers.set(id, { ...c, state: 'running' });
  }

  async remove(id: string): Promise<void> {
    this.lifecycle('remove', `remove ${id}`);
    this.containers.delete(id);
  }
}
