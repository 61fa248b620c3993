/**
 * The supervisor: where engine events and reconciles become decisions. It enrolls
 * containers, hands unhealthy ones to the healer, writes every observation to the audit
 * store, and offers the operator's levers to the API. It knows the engine and the store
 * only through their interfaces, so its tests run without Docker.
 */
import type { Settings } from '../config/settings.js';
import type { ContainerSource } from '../engine/container-source.js';
import type { ContainerEvent, ContainerSnapshot, Engine } from '../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import { bareName, idMatches } from '../shared/container-ref.js';
import { errorText } from '../shared/errors.js';
import type { AuditStore, ListName } from '../store/types.js';
import { DependentRecreator } from './dependents/recreator.js';
import {
  type ContainerIdentity,
  type EnrollmentRules,
  isSelf,
  monitorVerdict,
  ownLabels,
} from './enrollment.js';
import { Enrollment } from './enrollment-rules.js';
import { EventIntake } from './event-intake.js';
import { Healer } from './heal/healer.js';
import { HoldKeeper } from './hold-keeper.js';
import type { Outcome } from './record/outcomes.js';
import { type OutcomeNotifier, Recorder } from './record/recorder.js';
import type {
  ContainerView,
  ListChange,
  MaintenanceView,
  RestartNowResult,
  SilenceResult,
  SupervisorControl,
} from './types.js';

export type ReconcileTrigger = 'startup' | 'reconnect' | 'interval' | 'config';

export interface SupervisorDeps {
  engine: Engine;
  store: AuditStore;
  settings: Settings;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Webhook, Apprise and the post-restart script; null sends nothing. */
  notifier?: OutcomeNotifier | null;
  /** autoheal's own container id, when it runs in one. */
  selfId: string | null;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  /** Capacity of the event intake before coalescing starts. */
  intakeCapacity?: number;
  /** Where the API's views list containers from; the engine itself when absent. */
  containers?: ContainerSource;
}

export class Supervisor implements SupervisorControl {
  private readonly engine: Engine;
  private readonly containers: ContainerSource;
  private readonly store: AuditStore;
  private readonly settings: Settings;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly selfId: string | null;
  private readonly enrollment: Enrollment;
  private readonly recorder: Recorder;
  private readonly healer: Healer;
  /** Maintenance window and silences (the API's `/api/maintenance` and `…/silence`). */
  readonly holds: HoldKeeper;
  private readonly dependents: DependentRecreator;
  private readonly intake: EventIntake;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconcileRunning: Promise<void> | null = null;
  private reconcileAgain: ReconcileTrigger | null = null;
  private engineConnected = false;
  private stopped = false;
  /** Counts health events; per container, the count at its latest one (see reconcileOnce). */
  private healthEvents = 0;
  private readonly lastHealthEvent = new Map<string, number>();

  constructor(deps: SupervisorDeps) {
    this.engine = deps.engine;
    this.containers = deps.containers ?? { list: () => deps.engine.listContainers() };
    this.store = deps.store;
    this.settings = deps.settings;
    this.log = componentLogger(deps.logger, 'supervisor');
    this.now = deps.now ?? Date.now;
    this.selfId = deps.selfId;
    this.enrollment = new Enrollment(deps.settings, deps.store, deps.selfId);
    const notifier = deps.notifier ?? null;
    this.recorder = new Recorder({ store: deps.store, metrics: deps.metrics, logger: deps.logger, notifier });
    this.holds = new HoldKeeper({
      store: deps.store,
      logger: deps.logger,
      now: this.now,
      notice: notifier?.notice ? (text) => notifier.notice?.(text) : null,
      // What is still unhealthy is healed now, not at the next interval.
      onEnded: () => {
        if (this.engineConnected && !this.stopped) void this.reconcile('config');
      },
    });
    this.healer = new Healer({
      recorder: this.recorder,
      engine: deps.engine,
      store: deps.store,
      settings: deps.settings,
      logger: deps.logger,
      metrics: deps.metrics,
      enrollment: this.enrollment,
      now: this.now,
      startedAtMs: this.now(),
      holds: this.holds,
    });
    this.dependents = new DependentRecreator({
      engine: deps.engine,
      settings: deps.settings,
      logger: deps.logger,
      recorder: this.recorder,
      enrollment: this.enrollment,
      healing: (id) => this.healer.busy(id),
      now: this.now,
    });
    this.intake = new EventIntake(
      deps.intakeCapacity ?? 10_000,
      (event) => this.handleEvent(event),
      (event, why) =>
        this.log.warn(
          { container: event.name, action: event.action, why },
          'event queue full: event merged or dropped',
        ),
    );
    const m = deps.metrics;
    m.gauge(
      'autoheal_event_queue_size',
      'Engine events waiting to be handled',
      () => this.intake.status().size,
    );
    m.family(
      'autoheal_event_queue_dropped_total',
      'Engine events merged or dropped because the queue was full',
      'counter',
      [],
      () => [[{}, this.intake.status().dropped]],
    );
  }

  // ── Entry points from the engine ──────────────────────────────────────────

  onEngineEvent(event: ContainerEvent): void {
    this.intake.push(event);
  }

  onEngineConnected(info: { reconnect: boolean }): void {
    this.engineConnected = true;
    this.record({ kind: 'engine_connected', reconnect: info.reconnect });
    void this.reconcile(info.reconnect ? 'reconnect' : 'startup');
  }

  onEngineDisconnected(info: { error: string; retryInMs: number }): void {
    const wasConnected = this.engineConnected;
    this.engineConnected = false;
    this.record({
      kind: 'engine_disconnected',
      wasConnected,
      error: info.error,
      retryInMs: info.retryInMs,
    });
  }

  /**
   * Starts the periodic reconcile. The first reconcile runs when the engine connects; the
   * interval ones run whether the event stream is up or not, so a stream blocked on its
   * own (a proxy that refuses `/events`) still leaves every container healed.
   */
  start(): void {
    this.holds.start();
    this.reconcileTimer = setInterval(() => {
      void this.reconcile('interval');
    }, this.settings.intervalS * 1000);
  }

  /** Stops reconciling and healing; see Healer.stop for what happens to running restarts. */
  async stop(waitMs = 8_000): Promise<void> {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.holds.stop();
    await Promise.all([this.healer.stop(waitMs), this.dependents.stop(waitMs)]);
  }

  /** Resolves once every queued event, reconcile and heal has been handled (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.intake.status().size > 0) continue;
      if (this.reconcileRunning) {
        await this.reconcileRunning;
        continue;
      }
      const heals = this.healer.status();
      if (heals.waiting + heals.running > 0) {
        await this.healer.drain();
        continue;
      }
      if (this.dependents.busy()) {
        await this.dependents.idle();
        continue;
      }
      return;
    }
  }

  /** `size`/`dropped`: the event intake; `pending`: heals queued, running or scheduled. */
  queueStatus(): {
    size: number;
    capacity: number;
    dropped: number;
    pending: number;
    heals_waiting: number;
    heals_running: number;
    heals_scheduled: number;
    heals_merged: number;
  } {
    const heals = this.healer.status();
    return {
      ...this.intake.status(),
      pending: heals.waiting + heals.running + heals.scheduled,
      heals_waiting: heals.waiting,
      heals_running: heals.running,
      heals_scheduled: heals.scheduled,
      heals_merged: heals.merged,
    };
  }

  // ── Observations ──────────────────────────────────────────────────────────

  private rules(): EnrollmentRules {
    return this.enrollment.rules();
  }

  private record(o: Outcome): void {
    this.recorder.record(o);
  }

  /** Records `auto_monitor` the first time a container id is monitored. */
  private ensureEnrolled(c: ContainerIdentity, enrolledBy: string | null): void {
    if (!this.store.markMonitored(c.id)) return;
    const how =
      enrolledBy === 'label'
        ? `label ${this.settings.containerLabel}=true`
        : enrolledBy === 'all'
          ? 'AUTOHEAL_CONTAINER_LABEL=all'
          : 'the selected list';
    this.record({ kind: 'enrolled', c, enrolledBy, how });
  }

  private handleEvent(event: ContainerEvent): void {
    try {
      this.handleEventUnsafe(event);
    } catch (err) {
      // A bug here must cost one event, never the stream.
      this.log.error(
        { container: event.name, action: event.action, err: errorText(err) },
        'failed to handle an engine event',
      );
    }
  }

  private handleEventUnsafe(event: ContainerEvent): void {
    if (this.stopped) return;
    const log = containerLogger(this.log, event.name, event.id);
    this.dependents.observe(event);
    if (event.action === 'destroy') {
      this.lastHealthEvent.delete(event.id);
      this.store.forgetMonitored(event.id);
      this.healer.forget(event.id);
      log.debug('container destroyed: its in-memory state is forgotten');
      return;
    }
    const verdict = monitorVerdict(event, this.rules());
    if (verdict.monitored) this.ensureEnrolled(event, verdict.enrolledBy);

    switch (event.action) {
      case 'start':
        log.debug({ monitored: verdict.monitored }, 'container started');
        this.dependents.started(event);
        return;
      case 'die':
      case 'oom': {
        if (!verdict.monitored) return;
        const duringHeal = this.healer.restarting(event.id);
        const code = event.exitCode;
        this.record({ kind: 'died', c: event, action: event.action, exitCode: code, duringHeal });
        return;
      }
      case 'health_status': {
        this.healthEvents += 1;
        this.lastHealthEvent.set(event.id, this.healthEvents);
        if (event.health === 'healthy') {
          if (verdict.monitored) this.healer.healthy(event, 'event');
          return;
        }
        if (event.health !== 'unhealthy') {
          log.debug({ health: event.health }, 'health changed');
          return;
        }
        if (verdict.monitored) {
          this.healer.unhealthy(event, 'event');
        } else if (verdict.enrolledBy !== null && verdict.excluded) {
          this.record({ kind: 'excluded', c: event });
        } else {
          log.debug({ reason: verdict.reason }, 'unhealthy but not monitored');
        }
        return;
      }
    }
  }

  /**
   * A full look at every container: enrolls new ones and heals monitored running ones that
   * are unhealthy (Docker reports health only on change, so this catches the rest).
   * Concurrent requests are folded into one extra run.
   */
  reconcile(trigger: ReconcileTrigger): Promise<void> {
    if (this.reconcileRunning) {
      this.reconcileAgain = trigger;
      return this.reconcileRunning;
    }
    this.reconcileRunning = this.reconcileOnce(trigger).finally(() => {
      this.reconcileRunning = null;
      const again = this.reconcileAgain;
      this.reconcileAgain = null;
      if (again && !this.stopped) void this.reconcile(again);
    });
    return this.reconcileRunning;
  }

  private async reconcileOnce(trigger: ReconcileTrigger): Promise<void> {
    if (this.stopped) return;
    // Taken before the list, so a container enrolled while the list is under way is not pruned.
    const known = this.store.knownContainerIds();
    // A health event handled while the list is under way is newer than the list's snapshot.
    const healthEventsBefore = this.healthEvents;
    let containers: ContainerSnapshot[];
    try {
      containers = await this.engine.listContainers();
    } catch (err) {
      // While the stream is down this repeats every interval; the disconnection is already recorded.
      const level = this.engineConnected ? 'warn' : 'debug';
      this.log[level](
        { err: errorText(err), trigger },
        'reconcile could not list containers; will try again',
      );
      return;
    }
    this.dependents.observeList(containers);
    // A container destroyed while autoheal was down (or whose destroy event was dropped)
    // would otherwise keep its state forever.
    const present = new Set(containers.map((c) => c.id));
    for (const id of known) {
      if (present.has(id)) continue;
      this.store.forgetMonitored(id);
      this.healer.forget(id);
    }
    for (const id of this.lastHealthEvent.keys()) if (!present.has(id)) this.lastHealthEvent.delete(id);
    const rules = this.rules();
    let unhealthy = 0;
    for (const c of containers) {
      const verdict = monitorVerdict(c, rules);
      if (!verdict.monitored) continue;
      this.ensureEnrolled(c, verdict.enrolledBy);
      if (c.state !== 'running') continue;
      if ((this.lastHealthEvent.get(c.id) ?? 0) > healthEventsBefore) continue;
      if (c.health === 'unhealthy') {
        unhealthy += 1;
        this.healer.unhealthy(c, 'reconcile');
      } else if (c.health === 'healthy') {
        this.healer.healthy(c, 'reconcile');
      }
    }
    this.log.debug({ trigger, containers: containers.length, unhealthy }, 'reconciled');
  }

  // ── The operator's levers (SupervisorControl) ─────────────────────────────

  private view(c: ContainerSnapshot, rules: EnrollmentRules): ContainerView {
    const verdict = monitorVerdict(c, rules);
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      health: c.health,
      monitored: verdict.monitored,
      excluded: verdict.excluded,
      enrolled_by: verdict.enrolledBy,
      restart_count: this.store.restartCount(c.name),
      last_restart_at: this.store.lastRestartAt(c.name),
      gave_up: this.store.getHealRecord(c.id)?.gaveUpAt != null,
      silenced_until: this.holds.silencedUntil(c.name),
      last_probe_output: this.healer.probeLine(c.id),
      labels: ownLabels(c.labels, rules.labelKey),
    };
  }

  async listContainers(): Promise<ContainerView[]> {
    const rules = this.rules();
    const all = await this.containers.list();
    return all.map((c) => this.view(c, rules)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private async findSnapshot(ref: string): Promise<ContainerSnapshot | null> {
    const wanted = bareName(ref);
    const all = await this.containers.list();
    const exact = all.find((c) => c.name === wanted || c.id === wanted);
    if (exact) return exact;
    const byPrefix = all.filter((c) => idMatches(c.id, wanted));
    return byPrefix.length === 1 ? (byPrefix[0] ?? null) : null;
  }

  async findContainer(ref: string): Promise<ContainerView | null> {
    const c = await this.findSnapshot(ref);
    return c ? this.view(c, this.rules()) : null;
  }

  async restartNow(ref: string): Promise<RestartNowResult> {
    const c = await this.findSnapshot(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    if (isSelf(c, this.selfId)) return { ok: false, reason: 'self' };
    return this.healer.restartNow(c);
  }

  async reset(ref: string): Promise<boolean> {
    const c = await this.findSnapshot(ref);
    if (!c) return false;
    const reset = this.healer.reset(c);
    // A container that is still unhealthy gets its heal now rather than at the next interval.
    if (reset) void this.reconcile('config');
    return reset;
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
    const c = await this.findSnapshot(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    this.holds.silence(c.id, c.name, minutes);
    return { ok: true, container: this.view(c, this.rules()) };
  }

  async unsilence(ref: string): Promise<SilenceResult> {
    const c = await this.findSnapshot(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    if (!this.holds.unsilence(c.id, c.name)) return { ok: false, reason: 'not_silenced' };
    return { ok: true, container: this.view(c, this.rules()) };
  }

  effectiveExcluded(): string[] {
    return this.enrollment.effectiveExcluded();
  }

  private fromConfig(list: ListName, entry: string): boolean {
    return list === 'excluded' && this.settings.exclude.includes(entry);
  }

  private writeList(list: ListName, next: string[], how: string): ListChange {
    const before = this.store.getList(list);
    const added = next.filter((e) => !before.includes(e));
    const removed = before.filter((e) => !next.includes(e));
    if (added.length === 0 && removed.length === 0) return { ok: true, changed: false, entries: before };
    this.store.setList(list, next);
    this.record({ kind: 'list_changed', list, how, added, removed, entries: next });
    // Takes effect at once: newly selected containers are enrolled and healed if unhealthy.
    void this.reconcile('config');
    return { ok: true, changed: true, entries: next };
  }

  replaceList(list: ListName, entries: string[]): ListChange {
    return this.writeList(list, [...new Set(entries)], 'Replaced');
  }

  addToList(list: ListName, entry: string): ListChange {
    const current = this.store.getList(list);
    if (current.includes(entry) || this.fromConfig(list, entry))
      return { ok: true, changed: false, entries: current };
    return this.writeList(list, [...current, entry], 'Changed');
  }

  removeFromList(list: ListName, entry: string): ListChange {
    if (this.fromConfig(list, entry)) return { ok: false, reason: 'from_config' };
    const current = this.store.getList(list);
    if (!current.includes(entry)) return { ok: false, reason: 'absent' };
    return this.writeList(
      list,
      current.filter((e) => e !== entry),
      'Changed',
    );
  }
}
