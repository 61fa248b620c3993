/**
 * A monitored container's health over time: one `health` outcome each time its state
 * (starting, healthy, unhealthy, stopped) changes, from the engine's events and from each
 * reconcile's list, never one per look. What autoheal last wrote for a name is read back
 * from the audit trail once, so a restart of autoheal does not repeat a state it already
 * recorded.
 */
import type { ContainerEvent, ContainerSnapshot } from '../engine/types.js';
import { componentLogger, type Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import type { AuditTrail } from '../store/types.js';
import type { ContainerIdentity } from './enrollment.js';
import type { Outcome } from './record/outcomes.js';

export const HEALTH_STATES = ['starting', 'healthy', 'unhealthy', 'stopped'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** How many of the newest `health` events seed the last known states when autoheal starts. */
const SEED_EVENTS = 1000;

/**
 * What one observation says. `ifKnown` marks a state a container with a healthcheck would
 * be in (stopped after a `die`, starting after a `start`): an event or a list does not say
 * whether it has a healthcheck, so it counts only for a name whose health autoheal knows.
 */
interface Observed {
  state: HealthState;
  ifKnown: boolean;
}

/** What a list entry says about its container's health, or null when it says nothing. */
export function observedInList(c: Pick<ContainerSnapshot, 'state' | 'health'>): Observed | null {
  if (c.state === 'exited' || c.state === 'dead') return { state: 'stopped', ifKnown: true };
  if (c.state !== 'running' || c.health === 'none') return null;
  return { state: c.health, ifKnown: false };
}

/** What an engine event says about its container's health, or null when it says nothing. */
export function observedInEvent(e: Pick<ContainerEvent, 'action' | 'health'>): Observed | null {
  switch (e.action) {
    case 'health_status':
      return e.health === undefined || e.health === 'none' ? null : { state: e.health, ifKnown: false };
    case 'die':
      return { state: 'stopped', ifKnown: true };
    case 'start':
      return { state: 'starting', ifKnown: true };
    default:
      return null;
  }
}

export interface HealthTransitionsDeps {
  /** Where the last recorded states are read from once, at the first observation. */
  trail: Pick<AuditTrail, 'find'>;
  /** Writes a transition down (the recorder). */
  record: (o: Outcome) => void;
  /** Only monitored containers' health is written down. */
  isMonitored: (c: ContainerIdentity) => boolean;
  logger: Logger;
}

export class HealthTransitions {
  private readonly d: HealthTransitionsDeps;
  private readonly log: Logger;
  /** The last state written down, by container name (what the timeline is drawn by). */
  private readonly states = new Map<string, HealthState>();
  /** Observations waiting for the trail's answer, in order. */
  private waiting: Array<() => void> | null = null;
  private seeded = false;
  /** Counts event observations; by name, the count at its latest one (see `mark`). */
  private events = 0;
  private readonly lastEvent = new Map<string, number>();

  constructor(deps: HealthTransitionsDeps) {
    this.d = deps;
    this.log = componentLogger(deps.logger, 'supervisor');
  }

  /** An engine event: a transition when it changes a monitored container's state. */
  onEvent(e: ContainerEvent): void {
    if (e.action === 'rename' || e.action === 'destroy') return;
    const seen = observedInEvent(e);
    if (seen === null || !this.d.isMonitored(e)) return;
    this.events += 1;
    this.lastEvent.set(e.name, this.events);
    this.whenSeeded(() => this.apply(e, seen, 'event'));
  }

  /** Take before listing the engine, and hand to `onList` with the list. */
  mark(): number {
    return this.events;
  }

  /**
   * A reconcile's list: a transition for every monitored container whose state changed,
   * except those an event told about while the list was under way (the event is newer).
   */
  onList(containers: readonly ContainerSnapshot[], mark: number): void {
    const present = new Set(containers.map((c) => c.name));
    for (const name of this.lastEvent.keys()) if (!present.has(name)) this.lastEvent.delete(name);
    this.whenSeeded(() => {
      // A name gone from the engine is forgotten, so the map does not grow with churn.
      for (const name of this.states.keys()) if (!present.has(name)) this.states.delete(name);
    });
    for (const c of containers) {
      if ((this.lastEvent.get(c.name) ?? 0) > mark) continue;
      const seen = observedInList(c);
      if (seen === null || !this.d.isMonitored(c)) continue;
      this.whenSeeded(() => this.apply(c, seen, 'reconcile'));
    }
  }

  /** The state last written down for this name, or null. */
  stateOf(name: string): HealthState | null {
    return this.states.get(name) ?? null;
  }

  private apply(c: ContainerIdentity, seen: Observed, source: 'event' | 'reconcile'): void {
    const previous = this.states.get(c.name) ?? null;
    if (seen.ifKnown && previous === null) return;
    if (seen.state === previous) return;
    this.states.set(c.name, seen.state);
    this.d.record({ kind: 'health', c: { id: c.id, name: c.name }, state: seen.state, previous, source });
  }

  /** Runs `step` now once the trail has been read, else after it, in the order asked. */
  private whenSeeded(step: () => void): void {
    if (this.seeded) {
      step();
      return;
    }
    if (this.waiting !== null) {
      this.waiting.push(step);
      return;
    }
    this.waiting = [step];
    void this.seed().then(() => {
      const steps = this.waiting ?? [];
      this.waiting = null;
      this.seeded = true;
      for (const s of steps) s();
    });
  }

  /** The newest `health` event of each name in the trail's newest ones; never rejects. */
  private async seed(): Promise<void> {
    try {
      const newestFirst = await this.d.trail.find({ type: 'health', limit: SEED_EVENTS });
      for (const e of newestFirst) {
        const state = HEALTH_STATES.find((s) => s === e.status);
        if (e.container_name === null || state === undefined || this.states.has(e.container_name)) continue;
        this.states.set(e.container_name, state);
      }
    } catch (err) {
      // Without the trail every container's state is written once more, with previous null.
      this.log.warn({ err: errorText(err) }, 'cannot read the last health states from the trail');
    }
  }
}
