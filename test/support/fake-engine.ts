/**
 * An in-memory engine for the supervisor's unit tests: containers are plain objects the
 * test changes, restarts are recorded, and a restart can be held open to model a slow stop.
 */
import type { ContainerEvent, ContainerSnapshot, Engine, HealthStatus } from '../../src/engine/types.js';

export interface RestartCall {
  id: string;
  stopTimeoutS: number;
}

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
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    this.containers.set(id, { ...c, state: 'exited', health: 'unhealthy' });
  }

  async ping(): Promise<void> {
    if (this.unreachable) throw new Error('connect ENOENT /var/run/docker.sock');
  }
}
