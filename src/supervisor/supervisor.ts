/**
 * The supervisor: the composition of the domain. Engine events come in through the intake
 * (./intake/), reconciles look at every container (./intake/reconcile.ts), the healer acts
 * (./heal/, ./actions/), the recorder writes every outcome down (./record/); the operator's
 * levers for the API are here, over the views and lists (./control/). It knows the engine
 * and the store only through their interfaces, so its tests run without Docker.
 */
import type { Settings } from '../config/settings.js';
import type { ContainerSource } from '../engine/container-source.js';
import type { ContainerEvent, Engine } from '../engine/types.js';
import { componentLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { AuditStore, ListName } from '../store/types.js';
import { ListEditor } from './control/lists.js';
import { ContainerViews } from './control/views.js';
import { DependentRecreator } from './dependents/recreator.js';
import { isSelf } from './enrollment.js';
import { Enrollment } from './enrollment-rules.js';
import { Healer } from './heal/healer.js';
import { HealthTransitions } from './health-transitions.js';
import { HoldKeeper } from './hold-keeper.js';
import { EventQueue } from './intake/event-queue.js';
import { EventHandler } from './intake/events.js';
import { HealthEvents } from './intake/health-events.js';
import { Reconciler, type ReconcileTrigger } from './intake/reconcile.js';
import { NotifyMute } from './notify-mute.js';
import { type OutcomeNotifier, Recorder } from './record/recorder.js';
import type {
  ContainerView,
  ListChange,
  MaintenanceView,
  RestartNowResult,
  SilenceResult,
  SupervisorControl,
} from './types.js';

export type { ReconcileTrigger } from './intake/reconcile.js';

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
  private readonly enrollment: Enrollment;
  private readonly recorder: Recorder;
  private readonly healer: Healer;
  /** Maintenance window and silences (the API's `/api/maintenance` and `…/silence`). */
  readonly holds: HoldKeeper;
  private readonly dependents: DependentRecreator;
  private readonly intake: EventQueue;
  private readonly reconciler: Reconciler;
  private readonly views: ContainerViews;
  private readonly lists: ListEditor;
  private engineConnected = false;
  private stopped = false;

  constructor(deps: SupervisorDeps) {
    const log = componentLogger(deps.logger, 'supervisor');
    const now = deps.now ?? Date.now;
    const notifier = deps.notifier ?? null;
    const { engine, store, settings } = deps;
    this.enrollment = new Enrollment(settings, store, deps.selfId);
    const enrollment = this.enrollment;
    // The label autoheal.notify=false mutes a container's notifications, learnt from events and lists.
    const mute = new NotifyMute(notifier, deps.logger);
    const recorder = new Recorder({ store, metrics: deps.metrics, logger: deps.logger, notifier: mute });
    this.recorder = recorder;
    this.holds = new HoldKeeper({
      store,
      logger: deps.logger,
      now,
      notice: notifier?.notice ? (text) => notifier.notice?.(text) : null,
      // What is still unhealthy is healed now, not at the next interval.
      onEnded: () => {
        if (this.engineConnected && !this.stopped) void this.reconcile('config');
      },
    });
    const healer = new Healer({
      recorder,
      engine,
      store,
      settings,
      logger: deps.logger,
      metrics: deps.metrics,
      enrollment,
      now,
      startedAtMs: now(),
      holds: this.holds,
    });
    this.healer = healer;
    this.dependents = new DependentRecreator({
      engine,
      settings,
      logger: deps.logger,
      recorder,
      enrollment,
      healing: (id) => healer.busy(id),
      now,
    });
    const healthEvents = new HealthEvents();
    const health = new HealthTransitions({
      trail: store,
      record: (o) => recorder.record(o),
      isMonitored: (c) => enrollment.verdict(c).monitored,
      logger: deps.logger,
    });
    const stopped = () => this.stopped;
    const events = new EventHandler({
      store,
      enrollment,
      recorder,
      healer,
      dependents: this.dependents,
      healthEvents,
      health,
      mute,
      log,
      stopped,
    });
    this.reconciler = new Reconciler({
      engine,
      store,
      settings,
      enrollment,
      recorder,
      healer,
      dependents: this.dependents,
      healthEvents,
      health,
      mute,
      log,
      engineConnected: () => this.engineConnected,
      stopped,
    });
    this.intake = new EventQueue(
      deps.intakeCapacity ?? 10_000,
      (event) => events.handle(event),
      (event, why) =>
        log.warn(
          { container: event.name, action: event.action, why },
          'event queue full: event merged or dropped',
        ),
    );
    this.views = new ContainerViews({
      containers: deps.containers ?? { list: () => engine.listContainers() },
      store,
      enrollment,
      healer,
      holds: this.holds,
    });
    this.lists = new ListEditor({ store, settings, recorder, changed: () => void this.reconcile('config') });
    deps.metrics.gauge(
      'autoheal_event_queue_size',
      'Engine events waiting to be handled',
      () => this.intake.status().size,
    );
    deps.metrics.family(
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
    this.recorder.record({ kind: 'engine_connected', reconnect: info.reconnect });
    void this.reconcile(info.reconnect ? 'reconnect' : 'startup');
  }

  onEngineDisconnected(info: { error: string; retryInMs: number }): void {
    const wasConnected = this.engineConnected;
    this.engineConnected = false;
    this.recorder.record({
      kind: 'engine_disconnected',
      wasConnected,
      error: info.error,
      retryInMs: info.retryInMs,
    });
  }

  /** Starts the holds' timers and the periodic reconcile (the first runs when the engine connects). */
  start(): void {
    this.holds.start();
    this.reconciler.start();
  }

  /** Stops reconciling and healing; see HealScheduler.stop for what happens to running restarts. */
  async stop(waitMs = 8_000): Promise<void> {
    this.stopped = true;
    this.reconciler.stop();
    this.holds.stop();
    await Promise.all([this.healer.stop(waitMs), this.dependents.stop(waitMs)]);
  }

  /** A full look at every container now (see ./intake/reconcile.ts). */
  reconcile(trigger: ReconcileTrigger): Promise<void> {
    return this.reconciler.reconcile(trigger);
  }

  /** Resolves once every queued event, reconcile and heal has been handled (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.intake.status().size > 0) continue;
      const reconciling = this.reconciler.running;
      if (reconciling) {
        await reconciling;
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

  // ── The operator's levers (SupervisorControl) ─────────────────────────────

  listContainers(): Promise<ContainerView[]> {
    return this.views.list();
  }

  async findContainer(ref: string): Promise<ContainerView | null> {
    const c = await this.views.find(ref);
    return c ? this.views.view(c) : null;
  }

  async restartNow(ref: string): Promise<RestartNowResult> {
    const c = await this.views.find(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    if (isSelf(c, this.enrollment.selfId)) return { ok: false, reason: 'self' };
    return this.healer.restartNow(c);
  }

  async reset(ref: string): Promise<boolean> {
    const c = await this.views.find(ref);
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
    const c = await this.views.find(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    this.holds.silence(c.id, c.name, minutes);
    return { ok: true, container: this.views.view(c) };
  }

  async unsilence(ref: string): Promise<SilenceResult> {
    const c = await this.views.find(ref);
    if (!c) return { ok: false, reason: 'not_found' };
    if (!this.holds.unsilence(c.id, c.name)) return { ok: false, reason: 'not_silenced' };
    return { ok: true, container: this.views.view(c) };
  }

  effectiveExcluded(): string[] {
    return this.enrollment.effectiveExcluded();
  }

  replaceList(list: ListName, entries: string[]): ListChange {
    return this.lists.replace(list, entries);
  }

  addToList(list: ListName, entry: string): ListChange {
    return this.lists.add(list, entry);
  }

  removeFromList(list: ListName, entry: string): ListChange {
    return this.lists.remove(list, entry);
  }
}
