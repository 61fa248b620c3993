/**
 * A live copy of the engine's containers, kept from the event stream (start, die, pause,
 * unpause, health, rename, destroy) and replaced by every full list, so a heal can decide
 * on what the engine last said instead of asking it again. It is trusted only while the
 * stream is up and a list has completed since the stream (re)connected; otherwise, and for
 * a container it has not seen listed, `MirroredEngine.inspect` asks the engine.
 */
import type { ContainerSource } from './container-source.js';
import type { ContainerBlueprint, ContainerEvent, ContainerSnapshot, Engine } from './types.js';

/** What `lookup` answers: a snapshot, `null` for a container destroyed, or `unknown` (ask the engine). */
export type MirrorAnswer = ContainerSnapshot | null | 'unknown';

interface Entry {
  snapshot: ContainerSnapshot;
  /** The change counter when an event last touched it, so an older list does not undo it. */
  touched: number;
}

export class ContainerMirror {
  private entries = new Map<string, Entry>();
  /** Containers destroyed since the last list began: a list begun earlier must not revive them. */
  private destroyed = new Map<string, number>();
  private changes = 0;
  private streamUp = false;
  /** Bumped at every (re)connect, so a list begun before it cannot make the mirror trusted. */
  private epoch = 0;
  private synced = false;
  /** The change counter of the last event about a container no list has shown yet (0: none). */
  private unlistedAt = 0;

  /** True while the mirror can stand in for an inspect. */
  get trusted(): boolean {
    return this.streamUp && this.synced;
  }

  get size(): number {
    return this.entries.size;
  }

  streamConnected(): void {
    this.streamUp = true;
    this.synced = false;
    this.epoch += 1;
  }

  streamLost(): void {
    this.streamUp = false;
    this.synced = false;
  }

  /** Call before listing the engine; hand the mark to `refresh` with the list. */
  beginList(): { changes: number; epoch: number; streamUp: boolean } {
    return { changes: this.changes, epoch: this.epoch, streamUp: this.streamUp };
  }

  /**
   * Replaces the mirror with a full list, except for what events changed while the list
   * was under way (the events are newer than the list).
   */
  refresh(list: readonly ContainerSnapshot[], mark: ReturnType<ContainerMirror['beginList']>): void {
    const next = new Map<string, Entry>();
    for (const c of list) {
      const gone = this.destroyed.get(c.id);
      if (gone !== undefined && gone > mark.changes) continue;
      const current = this.entries.get(c.id);
      next.set(
        c.id,
        current && current.touched > mark.changes ? current : { snapshot: copy(c), touched: mark.changes },
      );
    }
    for (const [id, entry] of this.entries) {
      // Appeared by an event while the list was under way: keep it.
      if (!next.has(id) && entry.touched > mark.changes) next.set(id, entry);
    }
    this.entries = next;
    this.destroyed = new Map([...this.destroyed].filter(([, at]) => at > mark.changes));
    if (this.unlistedAt <= mark.changes) this.unlistedAt = 0;
    if (mark.streamUp && mark.epoch === this.epoch && this.streamUp) this.synced = true;
  }

  /** Applies one event of the stream, before anything acts on it. */
  apply(event: ContainerEvent): void {
    this.changes += 1;
    if (event.action === 'destroy') {
      this.entries.delete(event.id);
      this.destroyed.set(event.id, this.changes);
      return;
    }
    const entry = this.entries.get(event.id);
    // Not listed yet (created after the last list): the next list brings it; until then the
    // engine is asked, since an event does not carry the image or the network mode.
    if (!entry) {
      this.unlistedAt = this.changes;
      return;
    }
    const s = entry.snapshot;
    entry.touched = this.changes;
    s.name = event.name;
    switch (event.action) {
      case 'start':
      case 'unpause':
        s.state = 'running';
        if (event.action === 'start' && s.health !== 'none') s.health = 'starting';
        return;
      case 'die':
        s.state = 'exited';
        return;
      case 'pause':
        s.state = 'paused';
        return;
      case 'health_status':
        if (event.health) s.health = event.health;
        return;
      default:
        return;
    }
  }

  /** Every container, or null while untrusted or while a container is known only by an event. */
  all(): ContainerSnapshot[] | null {
    if (!this.trusted || this.unlistedAt !== 0) return null;
    return [...this.entries.values()].map((e) => copy(e.snapshot));
  }

  /** What the mirror knows of a container; `unknown` while untrusted or not listed. */
  lookup(id: string): MirrorAnswer {
    if (!this.trusted) return 'unknown';
    const entry = this.entries.get(id);
    if (entry) return copy(entry.snapshot);
    return this.destroyed.has(id) ? null : 'unknown';
  }
}

function copy(c: ContainerSnapshot): ContainerSnapshot {
  return { ...c, labels: { ...c.labels } };
}

/**
 * The engine as the supervisor uses it, with the mirror in front: every list refreshes the
 * mirror, and an inspect is answered from it when it is trusted (one round trip less per
 * heal). Restarts, stops and pings go to the engine.
 */
export class MirroredEngine implements Engine {
  constructor(
    private readonly engine: Engine,
    private readonly mirror: ContainerMirror,
  ) {}

  async listContainers(): Promise<ContainerSnapshot[]> {
    const mark = this.mirror.beginList();
    const list = await this.engine.listContainers();
    this.mirror.refresh(list, mark);
    return list;
  }

  async inspect(id: string): Promise<ContainerSnapshot | null> {
    const known = this.mirror.lookup(id);
    return known === 'unknown' ? this.engine.inspect(id) : known;
  }

  /** The mirror holds no probe log: always the engine's. */
  async probes(id: string): Promise<ContainerSnapshot['probes'] | null> {
    if (this.engine.probes) return this.engine.probes(id);
    return (await this.engine.inspect(id))?.probes ?? null;
  }

  restart(id: string, stopTimeoutS: number): Promise<void> {
    return this.engine.restart(id, stopTimeoutS);
  }

  stop(id: string, stopTimeoutS: number): Promise<void> {
    return this.engine.stop(id, stopTimeoutS);
  }

  ping(): Promise<void> {
    return this.engine.ping();
  }

  blueprint(id: string): Promise<ContainerBlueprint | null> {
    return this.engine.blueprint(id);
  }

  create(blueprint: ContainerBlueprint, name: string, networkMode: string): Promise<string> {
    return this.engine.create(blueprint, name, networkMode);
  }

  rename(id: string, name: string): Promise<void> {
    return this.engine.rename(id, name);
  }

  start(id: string): Promise<void> {
    return this.engine.start(id);
  }

  remove(id: string): Promise<void> {
    return this.engine.remove(id);
  }
}

/**
 * The API's container list from the mirror while it is trusted and complete; otherwise from
 * `fallback` (give it a source over the `MirroredEngine`, so its list also completes the mirror).
 */
export class MirrorContainerSource implements ContainerSource {
  constructor(
    private readonly mirror: ContainerMirror,
    private readonly fallback: ContainerSource,
  ) {}

  async list(): Promise<ContainerSnapshot[]> {
    return this.mirror.all() ?? this.fallback.list();
  }
}
