/**
 * One heal, the flow in order: re-inspect the container, ask the pure decision
 * (../heal-decision.ts) and the loop-damping gate (../restart-policy.ts), then hand it to
 * the action its label names (../actions/). Every way it ends is written down through the
 * recorder, after the container's `unhealthy` report.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerSnapshot, Engine } from '../../engine/types.js';
import { containerLogger, type Logger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { AuditEvent } from '../../store/types.js';
import type { HealAction } from '../actions/types.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { Enrollment } from '../enrollment-rules.js';
import { decideHeal, type HealTrigger, healActionOf } from '../heal-decision.js';
import type { HoldKeeper } from '../hold-keeper.js';
import type { HealAction as ActionName } from '../labels.js';
import { maxRestartsFromLabel } from '../labels.js';
import type { Hold } from '../maintenance.js';
import { lastOutputLine } from '../probe-log.js';
import { backoffDetail, giveUpReason, holdDetail } from '../record/messages.js';
import type { Recorder } from '../record/recorder.js';
import { gate, type HealRecord, observeUnhealthy, recordGiveUp } from '../restart-policy.js';
import type { ProbeReports } from './probe-reports.js';
import type { HealRecords } from './records.js';
import type { HealScheduler } from './scheduler.js';

export interface HealDeps {
  engine: Engine;
  enrollment: Pick<Enrollment, 'verdict'>;
  settings: Pick<Settings, 'startPeriodS' | 'defaultStopTimeoutS'>;
  startedAtMs: number;
  now: () => number;
  log: Logger;
  recorder: Recorder;
  records: HealRecords;
  probes: ProbeReports;
  scheduler: Pick<HealScheduler, 'schedule'>;
  holds?: HoldKeeper;
  actions: Record<ActionName, HealAction>;
}

export class Heal {
  constructor(private readonly d: HealDeps) {}

  /** Re-inspect, decide, act, write it down. Never rejects. */
  async run(c: ContainerIdentity, trigger: HealTrigger, reportedAtMs: number): Promise<AuditEvent | null> {
    const d = this.d;
    let fresh: ContainerSnapshot | null;
    try {
      fresh = await d.engine.inspect(c.id);
    } catch (err) {
      containerLogger(d.log, c.name, c.id).warn(
        { err: errorText(err), trigger },
        'cannot inspect the container before healing: left to the next reconcile',
      );
      const detail = `the engine did not answer the inspect (${errorText(err)})`;
      return this.skip(c, trigger, 'engine_error', detail, null, { error: errorText(err) });
    }
    const decision = decideHeal({
      container: fresh,
      verdict: fresh ? d.enrollment.verdict(fresh) : null,
      trigger,
      nowMs: d.now(),
      startedAtMs: d.startedAtMs,
      startPeriodS: d.settings.startPeriodS,
      defaultStopTimeoutS: d.settings.defaultStopTimeoutS,
    });
    if (decision.action === 'skip' || fresh === null) {
      const reason = decision.action === 'skip' ? decision.reason : 'gone';
      const detail = decision.action === 'skip' ? decision.detail : 'the container no longer exists';
      return this.skip(c, trigger, reason, detail, fresh);
    }
    const target: ContainerIdentity = { id: fresh.id, name: fresh.name, labels: fresh.labels };
    // An operator's restart may find it healthy: only an automatic heal's probes say why.
    const probeLine = trigger === 'api' ? null : lastOutputLine(fresh.probes?.log);
    d.probes.remember(c.id, probeLine);
    const request = {
      c: target,
      fresh,
      trigger,
      reportedAtMs,
      stopTimeoutS: decision.stopTimeoutS,
      probeLine,
    };
    if (trigger === 'api') return d.actions.restart.run({ ...request, record: null });

    // A grace period or back-off that ran out during a hold: the hold wins, once per spell.
    const hold = d.holds?.holdOn(fresh.name) ?? null;
    if (hold !== null) return d.holds?.firstOfSpell(c.id, hold) ? this.holdBack(target, trigger, hold) : null;

    const now = d.now();
    // Just inspected unhealthy: a spell no report started (an older record) starts now.
    const damping = d.records.damping(fresh);
    const record = observeUnhealthy(d.records.get(c.id, fresh.name), now, damping);
    const g = gate(record, now, damping);
    if (g.kind === 'given_up') {
      containerLogger(d.log, c.name, c.id).debug('given up on: left alone');
      return null;
    }
    if (g.kind === 'give_up') return this.giveUp(target, record, g.restarts, trigger);
    if (g.kind === 'backoff') {
      d.records.save(c.id, record);
      d.scheduler.schedule(target, 'backoff', g.untilMs, 'retry', reportedAtMs);
      return this.skip(target, trigger, 'backoff', backoffDetail(g, now), fresh, {
        wait_s: g.waitS,
        retry_at: new Date(g.untilMs).toISOString(),
        unhealthy_since: new Date(g.sinceMs).toISOString(),
        repeat: g.repeat,
      });
    }
    return d.actions[healActionOf(fresh.labels)].run({ ...request, record });
  }

  /** Records that maintenance or a silence held this heal back. */
  holdBack(c: ContainerIdentity, trigger: HealTrigger, hold: Hold): Promise<AuditEvent> {
    return this.skip(c, trigger, hold.kind, holdDetail(hold), null, {
      until: hold.until,
      ...(hold.reason ? { reason: hold.reason } : {}),
    });
  }

  /** A heal not carried out, written after the container's `unhealthy` event. */
  private async skip(
    c: ContainerIdentity,
    trigger: HealTrigger,
    reason: string,
    detail: string,
    fresh: ContainerSnapshot | null,
    extra: Record<string, unknown> = {},
  ): Promise<AuditEvent> {
    await this.d.probes.afterReport(c.id);
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
    await this.d.probes.afterReport(c.id);
    this.d.records.save(c.id, recordGiveUp(record, this.d.now()));
    const s = this.d.records.damping(c);
    const limit = maxRestartsFromLabel(c.labels) !== null ? 'autoheal.max_restarts' : 'AUTOHEAL_MAX_RESTARTS';
    const reason = giveUpReason(restarts, s.restartWindowS, limit, s.maxRestarts);
    return this.d.recorder.record({
      kind: 'gave_up',
      c,
      trigger,
      restarts,
      windowS: s.restartWindowS,
      reason,
    });
  }
}
