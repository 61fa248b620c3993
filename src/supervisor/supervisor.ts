/**
 * The supervisor: the domain behind one object (its parts wired in ./parts.ts). Engine events come in through the intake
 * (./intake/), reconciles look at every container (./intake/reconcile.ts), the healer acts
 * (./heal/, ./actions/), the recorder writes every outcome down (./record/); the operator's
 * levers for the API are here, over the views and lists (./control/). It knows the engine
 * and the store only through their interfaces, so its tests run without Docker.
 */
import type { ContainerEvent } from '../engine/types.js';
import type { ListName } from '../store/types.js';
import type { ListEditor } from './control/lists.js';
import type { ContainerViews } from './control/views.js';
import type { DependentRecreator } from './dependents/recreator.js';
import { isSelf } from './enrollment.js';
import type { Enrollment } from './enrollment-rules.js';
import type { Healer } from './heal/healer.js';
import type { HoldKeeper } from './hold-keeper.js';
import type { EventQueue } from './intake/event-queue.js';
import type { Reconciler, ReconcileTrigger } from './intake/reconcile.js';
import { type SupervisorDeps, wireParts } from './parts.js';
import type { Recorder } from './record/recorder.js';
import type {
  ContainerView,
  ListChange,
  MaintenanceView,
  RestartNowResult,
  SilenceResult,
  SupervisorControl,
} from './types.js';

export type { ReconcileTrigger } from './intake/reconcile.js';

export type { SupervisorDeps } from './parts.js';

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
    const parts = wireParts(deps, {
      engineConnected: () => this.engineConnected,
      stopped: () => this.stopped,
      reconcile: (trigger) => void this.reconcile(trigger),
    });
    this.enrollment = parts.enrollment;
    this.recorder = parts.recorder;
    this.holds = parts.holds;
    this.healer = parts.healer;
    this.dependents = parts.dependents;
    this.intake = parts.intake;
    this.reconciler = parts.reconciler;
    this.views = parts.views;
    this.lists = parts.lists;
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
