/**
 * Carries out heals: one per container in flight, up to AUTOHEAL_CONCURRENCY at once.
 * Each heal re-inspects the container, asks the pure decision and the loop-damping policy,
 * acts (restart, stop or only notify), and writes the outcome down. It also owns the
 * timers autoheal sets itself: a grace period, a back-off wait, the retry of a failed
 * restart.
 */
import type { Settings } from '../config/settings.js';
import type { ContainerSnapshot, Engine } from '../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { Notification } from '../notify/message.js';
import { errorText } from '../shared/errors.js';
import type { AuditEvent, AuditStore } from '../store/types.js';
import { type DependentHealContext, healDependent } from './dependent-heal.js';
import { dependentProtection, runningDependents } from './dependents.js';
import type { ContainerIdentity } from './enrollment.js';
import type { Enrollment } from './enrollment-rules.js';
import { alreadyHandled, decideHeal, graceOf, type HealTrigger, healActionOf } from './heal-decision.js';
import { HealQueue } from './heal-queue.js';
import { afterThisTurn, HealTimers, type WaitReason } from './heal-timers.js';
import type { HoldKeeper } from './hold-keeper.js';
import { backoffMaxFromLabel, invalidLabels, maxRestartsFromLabel, restartsDependents } from './labels.js';
import type { Hold } from './maintenance.js';
import { WHY } from './outcomes.js';
import { lastOutputLine, type ProbeReport, probeReport } from './probe-log.js';
import type { Recorder } from './recorder.js';
import {
  emptyRecord,
  gate,
  type HealRecord,
  nextAttemptAt,
  observeHealthy,
  observeUnhealthy,
  rearm,
  recordAttempt,
  recordFailedAttempt,
  recordGiveUp,
  sameRecord,
} from './restart-policy.js';
import type { RestartNowResult } from './types.js';

/** What the healer needs from the notifier (src/notify): fire and forget. */
export interface HealNotifier {
  notify(n: Notification): void;
  runPostRestartScript(call: {
    containerName: string;
    containerId: string;
    state: string;
    stopTimeoutS: number;
  }): void;
  /** A message about no single container (maintenance started); optional for fakes. */
  notice?(text: string): void;
}

export interface HealerDeps {
  engine: Engine;
  store: AuditStore;
  settings: Settings;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Writes outcomes down (audit event, metric). */
  recorder: Recorder;
  notifier: HealNotifier | null;
  /** Who is monitored, with the lists as they are now. */
  enrollment: Pick<Enrollment, 'rules' | 'verdict'>;
  now: () => number;
  startedAtMs: number;
  /** Maintenance and silences; none holds anything back when absent. */
  holds?: HoldKeeper;
}

type AutoTrigger = Exclude<HealTrigger, 'api' | 'dependent'>;

/** How long the probe log read beside a heal may take before the report is written without it. */
const PROBE_READ_TIMEOUT_MS = 2_000;

const HEAL_LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class Healer {
  private readonly d: HealerDeps;
  private readonly log: Logger;
  private readonly queue: HealQueue<AuditEvent | null>;
  private readonly scheduled: HealTimers;
  /** Requests the engine has not answered yet, so a shutdown can say what it left. */
  private readonly inFlight = new Map<
    string,
    {
      name: string;
      trigger: HealTrigger;
      action: 'restart' | 'stop';
      sinceMs: number;
      /** Destroyed while the request ran: nothing more is scheduled or kept for it. */
      forgotten?: boolean;
    }
  >();
  private readonly warnedLabels = new Set<string>();
  /** `unhealthy` events still waiting for their probe log; outcomes are written after them. */
  private readonly reports = new Map<string, Promise<void>>();
  /** The last probe output of the container a heal inspected, for its outcome and notification. */
  private readonly probeLines = new Map<string, string>();
  /** Containers reported unhealthy again while their heal was running. */
  private readonly recheck = new Set<string>();
  private readonly latency;
  private stopped = false;

  constructor(deps: HealerDeps) {
    this.d = deps;
    this.log = componentLogger(deps.logger, 'heal');
    this.queue = new HealQueue(deps.settings.concurrency);
    this.scheduled = new HealTimers(deps.now);
    const m = deps.metrics;
    this.latency = m.histogram(
      'autoheal_heal_latency_seconds',
      'Seconds from the unhealthy report to the end of the restart',
      HEAL_LATENCY_BUCKETS_S,
    );
    m.gauge('autoheal_heal_queue_size', 'Heals waiting for a free slot', () => this.queue.size);
    m.gauge('autoheal_heals_in_progress', 'Heals running now', () => this.queue.pending);
    m.gauge(
      'autoheal_heals_scheduled',
      'Heals waiting for a grace period, a back-off or a retry',
      () => this.scheduled.size,
    );
  }

  status(): { waiting: number; running: number; scheduled: number; merged: number } {
    return {
      waiting: this.queue.size,
      running: this.queue.pending,
      scheduled: this.scheduled.size,
      merged: this.queue.merged,
    };
  }

  /** autoheal's own restart (or stop) of this container is running now. */
  restarting(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** The first line of the last failing probe's output autoheal read, or null. */
  probeLine(id: string): string | null {
    return this.probeLines.get(id) ?? null;
  }

  /** A heal is queued, running or scheduled for this container. */
  busy(id: string): boolean {
    return this.queue.has(id) || this.scheduled.has(id);
  }

  private record(id: string, name: string): HealRecord {
    return this.d.store.getHealRecord(id) ?? emptyRecord(name);
  }

  private save(id: string, r: HealRecord): void {
    this.d.store.setHealRecord(id, r);
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

  /** The damping settings for this container: the globals, with its own labels' overrides. */
  private damping(c: ContainerIdentity): Settings {
    const s = this.d.settings;
    const backoffMaxS = backoffMaxFromLabel(c.labels);
    const maxRestarts = maxRestartsFromLabel(c.labels);
    // Without either label (most containers), no copy of every setting per heal.
    if (backoffMaxS === null && maxRestarts === null) return s;
    return { ...s, backoffMaxS: backoffMaxS ?? s.backoffMaxS, maxRestarts: maxRestarts ?? s.maxRestarts };
  }

  // ── Observations ─────────────────────────────────────────────────────────

  /**
   * A monitored container is unhealthy (event or reconcile): record it and heal it now, or
   * after its grace period. A second report while one is pending is merged.
   */
  unhealthy(c: ContainerIdentity, trigger: 'event' | 'reconcile'): void {
    if (this.stopped) return;
    const log = containerLogger(this.log, c.name, c.id);
    if (this.busy(c.id)) {
      // A running heal may already have inspected the container; if it finds it recovered,
      // this newer report must not be lost (Docker sends no further health_status).
      if (trigger === 'event' && this.queue.has(c.id)) this.recheck.add(c.id);
      log.debug({ trigger }, 'heal already pending: report merged');
      return;
    }
    this.warnOnce(c);
    const hold = this.d.holds?.holdOn(c.name) ?? null;
    if (hold !== null && !this.d.holds?.firstOfSpell(c.id, hold)) {
      log.debug({ trigger, hold: hold.kind }, 'unhealthy, held back: already recorded');
      return;
    }
    const now = this.d.now();
    const existing = this.d.store.getHealRecord(c.id);
    if (existing) {
      const r = observeUnhealthy(existing, now, this.damping(c));
      this.save(c.id, r);
      if (alreadyHandled(r, healActionOf(c.labels))) {
        log.debug({ trigger, gave_up: r.gaveUpAt !== null }, 'unhealthy, already handled');
        return;
      }
    }
    const graceS = graceOf(c.labels, this.d.settings.gracePeriodS);
    // The probe log is read beside the heal, which starts at once and does not wait for it;
    // when a heal follows, after this turn, once its restart request is on its way: sent
    // first, the inspect delayed the engine's kill by 50-190 ms (docs/BENCHMARKS.md).
    const read = hold === null ? afterThisTurn(() => this.readProbes(c.id)) : this.readProbes(c.id);
    const written = read.then((health) => {
      const line = health ? lastOutputLine(health.log) : null;
      if (line !== null) this.probeLines.set(c.id, line);
      this.d.recorder.record({ kind: 'detected', c, trigger, graceS, health });
      if (hold !== null) void this.holdBack(c, trigger, hold);
    });
    if (hold !== null) return;
    this.reports.set(c.id, written);
    void written.finally(() => {
      if (this.reports.get(c.id) === written) this.reports.delete(c.id);
    });
    if (graceS > 0) {
      this.schedule(c, 'grace', now + graceS * 1000, trigger, now);
    } else {
      this.enqueue(c, trigger, now);
    }
  }

  /**
   * A container is healthy: the reset clock starts, a given-up one is re-armed. A health
   * event also calls off a pending heal; a reconcile's list does not, since it may predate
   * the unhealthy event that scheduled it (the heal re-inspects anyway).
   */
  healthy(c: ContainerIdentity, source: 'event' | 'reconcile'): void {
    this.d.holds?.spellOver(c.id);
    const pending = source === 'event' ? this.scheduled.get(c.id) : undefined;
    if (pending) {
      this.cancel(c.id);
      this.d.recorder.record({ kind: 'recovered', c, waitingFor: pending.why });
      containerLogger(this.log, c.name, c.id).info(
        { waiting_for: pending.why },
        'recovered on its own: heal called off',
      );
    }
    const existing = this.d.store.getHealRecord(c.id);
    if (!existing) return;
    const { record, rearmed } = observeHealthy(existing, this.d.now());
    if (rearmed)
      containerLogger(this.log, c.name, c.id).info('healthy again: autoheal will restart it again if needed');
    if (!sameRecord(record, existing)) this.save(c.id, record);
  }

  /** The container was destroyed: drop its timers and its damping state. */
  forget(id: string): void {
    const running = this.inFlight.get(id);
    if (running) running.forgotten = true;
    this.cancel(id);
    this.warnedLabels.delete(id);
    this.recheck.delete(id);
    this.d.holds?.spellOver(id);
    this.probeLines.delete(id);
    this.d.store.setHealRecord(id, null);
  }

  /** An operator's reset: re-armed, back-off forgotten. True when there was anything to reset. */
  reset(c: ContainerIdentity): boolean {
    const existing = this.d.store.getHealRecord(c.id);
    if (!existing || (existing.gaveUpAt === null && existing.consecutive === 0)) return false;
    this.cancel(c.id);
    this.save(c.id, rearm(existing));
    this.d.recorder.record({
      kind: 'reset',
      c,
      wasGivenUp: existing.gaveUpAt !== null,
      consecutive: existing.consecutive,
    });
    containerLogger(this.log, c.name, c.id).info('re-armed by an operator');
    return true;
  }

  /**
   * Restart now, as an operator asked (not damped, not counted towards giving up). Refused
   * while a heal of it is queued or running: merging would hand the operator the outcome
   * of another heal (a back-off skip, say) as if it were theirs.
   */
  async restartNow(c: ContainerIdentity): Promise<RestartNowResult> {
    if (this.stopped) return { ok: false, reason: 'stopping' };
    if (this.queue.has(c.id)) return { ok: false, reason: 'busy' };
    this.cancel(c.id);
    const event = await this.run(c, () => this.heal(c, 'api', this.d.now()));
    return event ? { ok: true, event } : { ok: false, reason: 'stopping' };
  }

  // ── Timers ───────────────────────────────────────────────────────────────

  private schedule(
    c: ContainerIdentity,
    why: WaitReason,
    atMs: number,
    trigger: AutoTrigger,
    reportedAtMs: number,
  ): void {
    const delay = this.scheduled.set(c.id, { why, name: c.name, atMs }, () => {
      if (!this.stopped) this.enqueue(c, why === 'grace' ? trigger : 'retry', reportedAtMs);
    });
    containerLogger(this.log, c.name, c.id).debug({ why, in_ms: delay }, 'heal scheduled');
  }

  private cancel(id: string): void {
    this.scheduled.cancel(id);
  }

  private enqueue(c: ContainerIdentity, trigger: AutoTrigger, reportedAtMs: number): void {
    void this.run(c, () => this.heal(c, trigger, reportedAtMs));
  }

  /**
   * Every heal goes through here, whatever set it off, so there is one per container in
   * flight. When it settles, an unhealthy report merged into it is consumed: healed now if
   * the heal found the container recovered (Docker sends no further `health_status`).
   */
  private async run(
    c: ContainerIdentity,
    task: () => Promise<AuditEvent | null>,
  ): Promise<AuditEvent | null> {
    try {
      const event = await this.queue.enqueue(c.id, task).promise;
      const again = this.recheck.delete(c.id);
      if (again && event?.event_type === 'skipped' && event.status === 'recovered' && !this.stopped) {
        this.enqueue(c, 'event', this.d.now());
      }
      return event;
    } catch (err) {
      containerLogger(this.log, c.name, c.id).error({ err: errorText(err) }, 'heal failed unexpectedly');
      return null;
    }
  }

  // ── One heal ─────────────────────────────────────────────────────────────

  /** Re-inspect, decide, act, write it down. Never rejects. */
  private async heal(
    c: ContainerIdentity,
    trigger: HealTrigger,
    reportedAtMs: number,
  ): Promise<AuditEvent | null> {
    const log = containerLogger(this.log, c.name, c.id);
    if (this.stopped) return null;
    let fresh: ContainerSnapshot | null;
    try {
      fresh = await this.d.engine.inspect(c.id);
    } catch (err) {
      log.warn(
        { err: errorText(err), trigger },
        'cannot inspect the container before healing: left to the next reconcile',
      );
      return this.skip(
        c,
        trigger,
        'engine_error',
        `the engine did not answer the inspect (${errorText(err)})`,
        null,
        {
          error: errorText(err),
        },
      );
    }
    const decision = decideHeal({
      container: fresh,
      verdict: fresh ? this.d.enrollment.verdict(fresh) : null,
      trigger: trigger === 'api' ? 'api' : trigger,
      nowMs: this.d.now(),
      startedAtMs: this.d.startedAtMs,
      startPeriodS: this.d.settings.startPeriodS,
      defaultStopTimeoutS: this.d.settings.defaultStopTimeoutS,
    });
    if (decision.action === 'skip' || fresh === null) {
      const reason = decision.action === 'skip' ? decision.reason : 'gone';
      const detail = decision.action === 'skip' ? decision.detail : 'the container no longer exists';
      return this.skip(c, trigger, reason, detail, fresh);
    }
    const target: ContainerIdentity = { id: fresh.id, name: fresh.name, labels: fresh.labels };
    // An operator's restart may find it healthy: only an automatic heal's probes say why.
    const probeLine = trigger === 'api' ? null : lastOutputLine(fresh.probes?.log);
    if (probeLine !== null) this.probeLines.set(c.id, probeLine);
    // A grace period or back-off that ran out during a hold: the hold wins, once per spell.
    const hold = trigger === 'api' ? null : (this.d.holds?.holdOn(fresh.name) ?? null);
    if (hold !== null)
      return this.d.holds?.firstOfSpell(c.id, hold) ? this.holdBack(target, trigger, hold) : null;
    if (trigger === 'api') return this.restart(target, trigger, reportedAtMs, decision.stopTimeoutS, null);

    const now = this.d.now();
    // Just inspected unhealthy: a spell no report started (an older record) starts now.
    const damping = this.damping(fresh);
    const record = observeUnhealthy(this.record(c.id, fresh.name), now, damping);
    const g = gate(record, now, damping);
    if (g.kind === 'given_up') {
      log.debug('given up on: left alone');
      return null;
    }
    if (g.kind === 'give_up') return this.giveUp(target, record, g.restarts, trigger);
    if (g.kind === 'backoff') {
      this.save(c.id, record);
      this.schedule(target, 'backoff', g.untilMs, 'retry', reportedAtMs);
      const leftS = Math.ceil((g.untilMs - now) / 1000);
      return this.skip(
        target,
        trigger,
        'backoff',
        `it turned unhealthy again after ${g.repeat === 1 ? 'its restart' : `${g.repeat} restarts in a row`}; the next restart waits ${g.waitS} s from ${new Date(g.sinceMs).toISOString()}, when it was first reported unhealthy (${leftS} s left)`,
        fresh,
        {
          wait_s: g.waitS,
          retry_at: new Date(g.untilMs).toISOString(),
          unhealthy_since: new Date(g.sinceMs).toISOString(),
          repeat: g.repeat,
        },
      );
    }

    const action = healActionOf(fresh.labels);
    if (action === 'notify') {
      this.save(c.id, { ...record, notified: true });
      this.d.notifier?.notify({
        kind: 'unhealthy_notify',
        containerName: fresh.name,
        containerId: fresh.id,
        reason: WHY[trigger],
        ...(probeLine !== null ? { probeOutput: probeLine } : {}),
      });
      return this.skip(
        target,
        trigger,
        'notify_only',
        'its label autoheal.action=notify asks only for a notification',
        fresh,
      );
    }
    return this.restart(target, trigger, reportedAtMs, decision.stopTimeoutS, record, action);
  }

  /** `failing_streak` and the last probes from an inspect; null when the engine did not answer in time. */
  private readProbes(id: string): Promise<ProbeReport | null> {
    let timer: NodeJS.Timeout | undefined;
    const engine = this.d.engine;
    const probes = engine.probes ? engine.probes(id) : engine.inspect(id).then((s) => s?.probes ?? null);
    const read = probes.then(
      (p) => (p ? probeReport(p.failingStreak, p.log) : null),
      () => null,
    );
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PROBE_READ_TIMEOUT_MS);
      timer.unref();
    });
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }

  /** Waits until this container's `unhealthy` event is written, so an outcome never precedes it. */
  private async afterReport(id: string): Promise<void> {
    await this.reports.get(id);
  }

  /** Records that maintenance or a silence held this heal back. */
  private holdBack(c: ContainerIdentity, trigger: HealTrigger, hold: Hold): Promise<AuditEvent> {
    const detail =
      hold.kind === 'maintenance'
        ? `maintenance is on until ${hold.until}${hold.reason ? ` (${hold.reason})` : ''}`
        : `it is silenced until ${hold.until}`;
    return this.skip(c, trigger, hold.kind, detail, null, {
      until: hold.until,
      ...(hold.reason ? { reason: hold.reason } : {}),
    });
  }

  /** `skipNow`, written after the container's `unhealthy` event (see `afterReport`). */
  private async skip(
    c: ContainerIdentity,
    trigger: HealTrigger,
    reason: string,
    detail: string,
    fresh: ContainerSnapshot | null,
    extra: Record<string, unknown> = {},
  ): Promise<AuditEvent> {
    await this.afterReport(c.id);
    return this.skipNow(c, trigger, reason, detail, fresh, extra);
  }

  private skipNow(
    c: ContainerIdentity,
    trigger: HealTrigger,
    reason: string,
    detail: string,
    fresh: ContainerSnapshot | null,
    extra: Record<string, unknown> = {},
  ): AuditEvent {
    return this.d.recorder.record({
      kind: 'skipped',
      c: { id: c.id, name: fresh?.name ?? c.name },
      trigger,
      reason,
      detail,
      details: { state: fresh?.state ?? null, health: fresh?.health ?? null, ...extra },
    });
  }

  private async giveUp(
    c: ContainerIdentity,
    record: HealRecord,
    restarts: number,
    trigger: HealTrigger,
  ): Promise<AuditEvent> {
    await this.afterReport(c.id);
    this.save(c.id, recordGiveUp(record, this.d.now()));
    const s = this.damping(c);
    const limit = maxRestartsFromLabel(c.labels) !== null ? 'autoheal.max_restarts' : 'AUTOHEAL_MAX_RESTARTS';
    const reason = `${restarts} restarts in ${s.restartWindowS} s (${limit}=${s.maxRestarts})`;
    containerLogger(this.log, c.name, c.id).warn(
      { restarts, trigger },
      'giving up: left alone until healthy or reset',
    );
    this.d.notifier?.notify({ kind: 'gave_up', containerName: c.name, containerId: c.id, reason });
    return this.d.recorder.record({
      kind: 'gave_up',
      c,
      trigger,
      restarts,
      windowS: s.restartWindowS,
      reason,
    });
  }

  /** Restart (or stop, by label), write it down, notify; a failure is retried on the back-off. */
  private async restart(
    c: ContainerIdentity,
    trigger: HealTrigger,
    reportedAtMs: number,
    stopTimeoutS: number,
    record: HealRecord | null,
    action: 'restart' | 'stop' = 'restart',
  ): Promise<AuditEvent | null> {
    const log = containerLogger(this.log, c.name, c.id);
    const t0 = this.d.now();
    let updated: HealRecord | null = null;
    if (record) {
      updated = recordAttempt(record, t0, this.damping(c));
      this.save(c.id, updated);
    }
    log.info(
      { trigger, action, stop_timeout_s: stopTimeoutS },
      action === 'stop' ? 'stopping' : 'restarting',
    );
    this.inFlight.set(c.id, { name: c.name, trigger, action, sinceMs: t0 });
    let error: string | null = null;
    try {
      if (action === 'stop') await this.d.engine.stop(c.id, stopTimeoutS);
      else await this.d.engine.restart(c.id, stopTimeoutS);
    } catch (err) {
      error = errorText(err);
    }
    const entry = this.inFlight.get(c.id);
    // Already written down as interrupted by a shutdown.
    if (!entry || !this.inFlight.delete(c.id)) return null;
    const forgotten = entry.forgotten === true;
    await this.afterReport(c.id);
    const probeLine = this.probeLines.get(c.id) ?? null;
    const end = this.d.now();
    const durationMs = end - t0;
    const reason = trigger === 'api' ? null : probeLine;
    const acted = {
      kind: 'acted',
      c,
      action,
      trigger,
      durationMs,
      stopTimeoutS,
      endMs: end,
      reason,
    } as const;

    if (error !== null) {
      log.error({ err: error, duration_ms: durationMs, trigger }, `${action} failed`);
      this.tell(c, action, trigger, durationMs, stopTimeoutS, error);
      // A container destroyed meanwhile has no record left to keep and nothing to retry.
      if (updated && !forgotten) {
        updated = recordFailedAttempt(updated, end);
        this.save(c.id, updated);
      }
      const retryAt = updated && !forgotten ? nextAttemptAt(updated, this.damping(c)) : null;
      if (retryAt !== null && action === 'restart' && !this.stopped)
        this.schedule(c, 'retry', retryAt, 'retry', reportedAtMs);
      return this.d.recorder.record({ ...acted, error, retryAtMs: retryAt });
    }

    if (trigger !== 'api') this.latency.observe((end - reportedAtMs) / 1000);
    log.info({ duration_ms: durationMs, trigger }, action === 'stop' ? 'stopped' : 'restarted');
    const event = this.d.recorder.record({ ...acted, error: null, retryAtMs: null });
    this.tell(c, action, trigger, durationMs, stopTimeoutS, null);
    if (action === 'restart' && (restartsDependents(c.labels) || this.d.settings.restartDependents)) {
      await this.restartDependents(c);
    }
    return event;
  }

  /**
   * Notifies the outcome of a restart or stop and, after a restart attempt, runs the
   * post-restart script (after every attempt, as willfarrell/docker-autoheal does).
   */
  private tell(
    c: ContainerIdentity,
    action: 'restart' | 'stop',
    trigger: HealTrigger,
    durationMs: number,
    stopTimeoutS: number,
    error: string | null,
  ): void {
    const kind = error === null ? action : action === 'stop' ? 'stop_failed' : 'restart_failed';
    const probeLine = trigger === 'api' ? undefined : this.probeLines.get(c.id);
    this.d.notifier?.notify({
      kind,
      containerName: c.name,
      containerId: c.id,
      reason: WHY[trigger],
      ...(probeLine !== undefined ? { probeOutput: probeLine } : {}),
      durationMs,
      stopTimeoutS,
      ...(error === null ? {} : { error }),
    });
    if (action === 'restart') {
      this.d.notifier?.runPostRestartScript({
        containerName: c.name,
        containerId: c.id,
        state: error === null ? 'running' : 'failed',
        stopTimeoutS,
      });
    }
  }

  /**
   * Containers that share the healed container's network namespace lose their network when
   * it restarts. Each gets a heal of its own through the queue, after the parent's, so it
   * never runs beside another heal of it; one with a heal already pending is left to it.
   */
  private async restartDependents(parent: ContainerIdentity): Promise<void> {
    const log = containerLogger(this.log, parent.name, parent.id);
    let all: ContainerSnapshot[];
    try {
      all = await this.d.engine.listContainers();
    } catch (err) {
      log.warn({ err: errorText(err) }, 'cannot list containers to restart the dependents');
      return;
    }
    const rules = this.d.enrollment.rules();
    for (const dep of runningDependents(parent, all)) {
      const protectedBy = dependentProtection(dep, rules) ?? (this.busy(dep.id) ? 'heal_in_flight' : null);
      if (protectedBy !== null) {
        containerLogger(this.log, dep.name, dep.id).info(
          { dependency: parent.name, reason: protectedBy },
          'dependent not restarted',
        );
        continue;
      }
      void this.run(dep, async () =>
        this.stopped ? null : healDependent(this.dependentContext(), dep, parent),
      );
    }
  }

  private dependentContext(): DependentHealContext {
    return {
      engine: this.d.engine,
      enrollment: this.d.enrollment,
      now: () => this.d.now(),
      log: this.log,
      notifier: this.d.notifier,
      defaultStopTimeoutS: this.d.settings.defaultStopTimeoutS,
      track: (id, entry) => this.inFlight.set(id, { ...entry, trigger: 'dependent' }),
      untrack: (id) => this.inFlight.delete(id),
      recorder: this.d.recorder,
      skip: (c, reason, detail, fresh, extra) => this.skipNow(c, 'dependent', reason, detail, fresh, extra),
    };
  }

  // ── Shutdown ─────────────────────────────────────────────────────────────

  /** Resolves when nothing is queued or running (scheduled timers are not waited for). */
  async drain(): Promise<void> {
    while (this.queue.size + this.queue.pending > 0) await this.queue.drain();
  }

  /**
   * Stops taking heals and waits (bounded: Docker's default stop grace is 10 s) for running
   * ones. A restart still running then is recorded as `interrupted`: the engine finishes it
   * on its own, but autoheal did not see the result.
   */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    this.scheduled.cancelAll();
    this.queue.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue.drain(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    for (const [id, r] of this.inFlight) {
      const durationMs = this.d.now() - r.sinceMs;
      containerLogger(this.log, r.name, id).warn(
        { duration_ms: durationMs },
        `autoheal stopped while this ${r.action} was running`,
      );
      this.d.recorder.record({
        kind: 'interrupted',
        c: { id, name: r.name },
        action: r.action,
        trigger: r.trigger,
        durationMs,
      });
    }
    this.inFlight.clear();
  }
}
