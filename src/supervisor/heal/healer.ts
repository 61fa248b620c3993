/**
 * The healer: what the supervisor tells it about monitored containers (unhealthy, healthy,
 * destroyed) and the operator's levers (reset, restart now), wired to its parts: when heals
 * run (./scheduler.ts), what one heal does (./heal.ts), the actions (../actions/), the
 * dependents' restart (../dependents/). Every outcome is written down by the recorder.
 */
import type { Settings } from '../../config/settings.js';
import type { Engine } from '../../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../../log.js';
import type { MetricsRegistry } from '../../metrics.js';
import type { AuditEvent, HealRecords as HealRecordStore } from '../../store/types.js';
import { NotifyAction } from '../actions/notify.js';
import { RestartAction } from '../actions/restart.js';
import { StopAction } from '../actions/stop.js';
import type { ActionDeps } from '../actions/types.js';
import { DependentRestarts } from '../dependents/restart-dependents.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { Enrollment } from '../enrollment-rules.js';
import { alreadyHandled, graceOf, healActionOf } from '../heal-decision.js';
import type { HoldKeeper } from '../hold-keeper.js';
import { invalidLabels } from '../labels.js';
import type { Recorder } from '../record/recorder.js';
import { observeHealthy, observeUnhealthy, rearm, sameRecord } from '../restart-policy.js';
import type { RestartNowResult } from '../types.js';
import { Heal } from './heal.js';
import { InFlight } from './in-flight.js';
import { ProbeReports } from './probe-reports.js';
import { HealRecords } from './records.js';
import { HealScheduler } from './scheduler.js';

export interface HealerDeps {
  engine: Engine;
  store: HealRecordStore;
  settings: Settings;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Writes outcomes down (audit event, log line, metric, notification). */
  recorder: Recorder;
  /** Who is monitored, with the lists as they are now. */
  enrollment: Pick<Enrollment, 'rules' | 'verdict'>;
  now: () => number;
  startedAtMs: number;
  /** Maintenance and silences; none holds anything back when absent. */
  holds?: HoldKeeper;
}

const HEAL_LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class Healer {
  private readonly d: HealerDeps;
  private readonly log: Logger;
  private readonly records: HealRecords;
  private readonly inFlight = new InFlight();
  private readonly probes: ProbeReports;
  private readonly scheduler: HealScheduler;
  private readonly heal: Heal;
  private readonly warnedLabels = new Set<string>();

  constructor(deps: HealerDeps) {
    this.d = deps;
    this.log = componentLogger(deps.logger, 'heal');
    this.records = new HealRecords(deps.store, deps.settings);
    this.probes = new ProbeReports(deps.engine);
    this.scheduler = new HealScheduler({
      concurrency: deps.settings.concurrency,
      now: deps.now,
      log: this.log,
      metrics: deps.metrics,
      recorder: deps.recorder,
      inFlight: this.inFlight,
      heal: (c, trigger, reportedAtMs) => this.heal.run(c, trigger, reportedAtMs),
    });
    const actions: ActionDeps = {
      engine: deps.engine,
      recorder: deps.recorder,
      records: this.records,
      inFlight: this.inFlight,
      probes: this.probes,
      scheduler: this.scheduler,
      now: deps.now,
      log: this.log,
      latency: deps.metrics.histogram(
        'autoheal_heal_latency_seconds',
        'Seconds from the unhealthy report to the end of the restart',
        HEAL_LATENCY_BUCKETS_S,
      ),
    };
    const dependents = new DependentRestarts({
      engine: deps.engine,
      enrollment: deps.enrollment,
      now: deps.now,
      log: this.log,
      inFlight: this.inFlight,
      recorder: deps.recorder,
      defaultStopTimeoutS: deps.settings.defaultStopTimeoutS,
      settings: deps.settings,
      scheduler: this.scheduler,
    });
    this.heal = new Heal({
      engine: deps.engine,
      enrollment: deps.enrollment,
      settings: deps.settings,
      startedAtMs: deps.startedAtMs,
      now: deps.now,
      log: this.log,
      recorder: deps.recorder,
      records: this.records,
      probes: this.probes,
      scheduler: this.scheduler,
      ...(deps.holds ? { holds: deps.holds } : {}),
      actions: {
        restart: new RestartAction(actions, (c) => dependents.after(c)),
        stop: new StopAction(actions),
        notify: new NotifyAction(actions),
      },
    });
  }

  status(): { waiting: number; running: number; scheduled: number; merged: number } {
    return this.scheduler.status();
  }

  /** autoheal's own restart (or stop) of this container is running now. */
  restarting(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** The first line of the last failing probe's output autoheal read, or null. */
  probeLine(id: string): string | null {
    return this.probes.line(id);
  }

  /** A heal is queued, running or scheduled for this container. */
  busy(id: string): boolean {
    return this.scheduler.busy(id);
  }

  private warnOnce(c: ContainerIdentity): void {
    const bad = invalidLabels(c.labels);
    if (bad.length === 0 || this.warnedLabels.has(c.id)) return;
    this.warnedLabels.add(c.id);
    containerLogger(this.log, c.name, c.id).warn(
      { labels: bad },
      'label values not understood: using the defaults',
    );
  }

  // ── Observations ─────────────────────────────────────────────────────────

  /**
   * A monitored container is unhealthy (event or reconcile): record it and heal it now, or
   * after its grace period. A second report while one is pending is merged.
   */
  unhealthy(c: ContainerIdentity, trigger: 'event' | 'reconcile'): void {
    if (this.scheduler.stopped) return;
    const log = containerLogger(this.log, c.name, c.id);
    if (this.scheduler.busy(c.id)) {
      // A running heal may already have inspected the container; if it finds it recovered,
      // this newer report must not be lost (Docker sends no further health_status).
      if (trigger === 'event' && this.scheduler.queued(c.id)) this.scheduler.markRecheck(c.id);
      log.debug({ trigger }, 'heal already pending: report merged');
      return;
    }
    this.warnOnce(c);
    const holds = this.d.holds;
    const hold = holds?.holdOn(c.name) ?? null;
    if (hold !== null && !holds?.firstOfSpell(c.id, hold)) {
      log.debug({ trigger, hold: hold.kind }, 'unhealthy, held back: already recorded');
      return;
    }
    const now = this.d.now();
    const existing = this.records.find(c.id);
    if (existing) {
      const r = observeUnhealthy(existing, now, this.records.damping(c));
      this.records.save(c.id, r);
      if (alreadyHandled(r, healActionOf(c.labels))) {
        log.debug({ trigger, gave_up: r.gaveUpAt !== null }, 'unhealthy, already handled');
        return;
      }
    }
    const graceS = graceOf(c.labels, this.d.settings.gracePeriodS);
    // The probe log is read beside the heal, which starts at once and does not wait for it.
    this.probes.report(
      c.id,
      (health) => {
        this.d.recorder.record({ kind: 'detected', c, trigger, graceS, health });
        if (hold !== null) void this.heal.holdBack(c, trigger, hold);
      },
      hold !== null,
    );
    if (hold !== null) return;
    if (graceS > 0) this.scheduler.schedule(c, 'grace', now + graceS * 1000, trigger, now);
    else this.scheduler.enqueue(c, trigger, now);
  }

  /**
   * A container is healthy: the reset clock starts, a given-up one is re-armed. A health
   * event also calls off a pending heal; a reconcile's list does not, since it may predate
   * the unhealthy event that scheduled it (the heal re-inspects anyway).
   */
  healthy(c: ContainerIdentity, source: 'event' | 'reconcile'): void {
    this.d.holds?.spellOver(c.id);
    const pending = source === 'event' ? this.scheduler.waiting(c.id) : undefined;
    if (pending) {
      this.scheduler.cancel(c.id);
      this.d.recorder.record({ kind: 'recovered', c, waitingFor: pending.why });
    }
    const existing = this.records.find(c.id);
    if (!existing) return;
    const { record, rearmed } = observeHealthy(existing, this.d.now());
    if (rearmed)
      containerLogger(this.log, c.name, c.id).info('healthy again: autoheal will restart it again if needed');
    if (!sameRecord(record, existing)) this.records.save(c.id, record);
  }

  /** The container was destroyed: drop its timers and its damping state. */
  forget(id: string): void {
    this.inFlight.forget(id);
    this.scheduler.forget(id);
    this.warnedLabels.delete(id);
    this.d.holds?.spellOver(id);
    this.probes.forget(id);
    this.records.drop(id);
  }

  /** An operator's reset: re-armed, back-off forgotten. True when there was anything to reset. */
  reset(c: ContainerIdentity): boolean {
    const existing = this.records.find(c.id);
    if (!existing || (existing.gaveUpAt === null && existing.consecutive === 0)) return false;
    this.scheduler.cancel(c.id);
    this.records.save(c.id, rearm(existing));
    this.d.recorder.record({
      kind: 'reset',
      c,
      wasGivenUp: existing.gaveUpAt !== null,
      consecutive: existing.consecutive,
    });
    return true;
  }

  /**
   * Restart now, as an operator asked (not damped, not counted towards giving up). Refused
   * while a heal of it is queued or running: merging would hand the operator the outcome
   * of another heal (a back-off skip, say) as if it were theirs.
   */
  async restartNow(c: ContainerIdentity): Promise<RestartNowResult> {
    if (this.scheduler.stopped) return { ok: false, reason: 'stopping' };
    if (this.scheduler.queued(c.id)) return { ok: false, reason: 'busy' };
    this.scheduler.cancel(c.id);
    const event: AuditEvent | null = await this.scheduler.run(c, () => this.heal.run(c, 'api', this.d.now()));
    return event ? { ok: true, event } : { ok: false, reason: 'stopping' };
  }

  // ── Shutdown ─────────────────────────────────────────────────────────────

  /** Resolves when nothing is queued or running (scheduled timers are not waited for). */
  drain(): Promise<void> {
    return this.scheduler.drain();
  }

  /** See HealScheduler.stop: running restarts left unfinished are recorded as interrupted. */
  stop(waitMs: number): Promise<void> {
    return this.scheduler.stop(waitMs);
  }
}
