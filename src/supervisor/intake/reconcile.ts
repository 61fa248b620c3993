/**
 * The reconcile: a full look at every container, at start-up, after a reconnect, on every
 * interval and after a change of the lists. It enrolls new containers, forgets gone ones,
 * and hands monitored running ones to the healer by their health (Docker reports health
 * only on change, so this catches the rest). Concurrent requests fold into one extra run.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerSnapshot, Engine } from '../../engine/types.js';
import type { Logger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { HealRecords } from '../../store/types.js';
import type { DependentRecreator } from '../dependents/recreator.js';
import type { Enrollment } from '../enrollment-rules.js';
import type { Healer } from '../heal/healer.js';
import type { HealthTransitions } from '../health-transitions.js';
import type { NotifyMute } from '../notify-mute.js';
import type { Recorder } from '../record/recorder.js';
import { ensureEnrolled } from './enrol.js';
import type { HealthEvents } from './health-events.js';

export type ReconcileTrigger = 'startup' | 'reconnect' | 'interval' | 'config';

export interface ReconcilerDeps {
  engine: Pick<Engine, 'listContainers'>;
  store: Pick<HealRecords, 'markMonitored' | 'forgetMonitored' | 'knownContainerIds'>;
  settings: Pick<Settings, 'intervalS'>;
  enrollment: Pick<Enrollment, 'verdict' | 'rules' | 'labelKey'>;
  recorder: Recorder;
  healer: Pick<Healer, 'forget' | 'healthy' | 'unhealthy'>;
  dependents: Pick<DependentRecreator, 'observeList'>;
  healthEvents: HealthEvents;
  /** Writes a monitored container's health changes down. */
  health: Pick<HealthTransitions, 'mark' | 'onList'>;
  /** Learns which containers' notifications their label mutes. */
  mute: Pick<NotifyMute, 'observeList'>;
  log: Logger;
  /** The event stream is up: a failed list is then worth a warning. */
  engineConnected: () => boolean;
  stopped: () => boolean;
}

export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private runningNow: Promise<void> | null = null;
  private again: ReconcileTrigger | null = null;

  constructor(private readonly d: ReconcilerDeps) {}

  /**
   * Starts the periodic reconcile. The interval ones run whether the event stream is up or
   * not, so a stream blocked on its own (a proxy that refuses `/events`) still leaves every
   * container healed.
   */
  start(): void {
    this.timer = setInterval(() => {
      void this.reconcile('interval');
    }, this.d.settings.intervalS * 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The reconcile under way, if any. */
  get running(): Promise<void> | null {
    return this.runningNow;
  }

  reconcile(trigger: ReconcileTrigger): Promise<void> {
    if (this.runningNow) {
      this.again = trigger;
      return this.runningNow;
    }
    this.runningNow = this.once(trigger).finally(() => {
      this.runningNow = null;
      const again = this.again;
      this.again = null;
      if (again && !this.d.stopped()) void this.reconcile(again);
    });
    return this.runningNow;
  }

  private async once(trigger: ReconcileTrigger): Promise<void> {
    const d = this.d;
    if (d.stopped()) return;
    // Taken before the list, so a container enrolled while the list is under way is not pruned.
    const known = d.store.knownContainerIds();
    // A health event handled while the list is under way is newer than the list's snapshot.
    const mark = d.healthEvents.mark();
    const healthMark = d.health.mark();
    let containers: ContainerSnapshot[];
    try {
      containers = await d.engine.listContainers();
    } catch (err) {
      // While the stream is down this repeats every interval; the disconnection is already recorded.
      const level = d.engineConnected() ? 'warn' : 'debug';
      d.log[level]({ err: errorText(err), trigger }, 'reconcile could not list containers; will try again');
      return;
    }
    d.dependents.observeList(containers);
    d.health.onList(containers, healthMark);
    d.mute.observeList(containers);
    // A container destroyed while autoheal was down (or whose destroy event was dropped)
    // would otherwise keep its state forever.
    const present = new Set(containers.map((c) => c.id));
    for (const id of known) {
      if (present.has(id)) continue;
      d.store.forgetMonitored(id);
      d.healer.forget(id);
    }
    d.healthEvents.keepOnly(present);
    const rules = d.enrollment.rules();
    const enrol = { store: d.store, recorder: d.recorder, labelKey: d.enrollment.labelKey };
    let unhealthy = 0;
    for (const c of containers) {
      const verdict = d.enrollment.verdict(c, rules);
      if (!verdict.monitored) continue;
      ensureEnrolled(enrol, c, verdict.enrolledBy);
      if (c.state !== 'running') continue;
      if (d.healthEvents.newerThan(c.id, mark)) continue;
      if (c.health === 'unhealthy') {
        unhealthy += 1;
        d.healer.unhealthy(c, 'reconcile');
      } else if (c.health === 'healthy') {
        d.healer.healthy(c, 'reconcile');
      }
    }
    d.log.debug({ trigger, containers: containers.length, unhealthy }, 'reconciled');
  }
}
