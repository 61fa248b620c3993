/**
 * The one place outcomes are written down: an `Outcome` (./outcomes.ts) becomes the audit
 * event in the store, the log line, the metric that counts it and the notification (with
 * the post-restart script after a restart attempt), all worded in ./messages.ts. Call sites
 * log only what is not an outcome (an engine call starting, a debug trace). See
 * docs/ARCHITECTURE.md.
 */
import { componentLogger, containerLogger, type Logger } from '../../log.js';
import type { MetricsRegistry } from '../../metrics.js';
import type { Notification } from '../../notify/message.js';
import type { AuditEvent, AuditTrail } from '../../store/types.js';
import { auditEventOf, logLineOf, noticeOf, notificationOf } from './messages.js';
import type { Outcome } from './outcomes.js';

/** What the recorder needs from the notifier (src/notify): fire and forget. */
export interface OutcomeNotifier {
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

export interface RecorderDeps {
  store: Pick<AuditTrail, 'append'>;
  metrics: MetricsRegistry;
  logger: Logger;
  /** Webhook, Apprise and the post-restart script; null or absent sends nothing. */
  notifier?: OutcomeNotifier | null;
}

/** Outcomes of the heal path log as `heal`; what the supervisor observes, as `supervisor`. */
const SUPERVISOR_OUTCOMES: ReadonlySet<Outcome['kind']> = new Set([
  'excluded',
  'enrolled',
  'list_changed',
  'recreated',
  'recreate_failed',
  'died',
  'engine_connected',
  'engine_disconnected',
]);

/** The operator's holds (maintenance, silences) log as `holds`. */
const HOLD_OUTCOMES: ReadonlySet<Outcome['kind']> = new Set([
  'maintenance_started',
  'maintenance_ended',
  'silenced',
  'unsilenced',
]);

export class Recorder {
  private readonly store: Pick<AuditTrail, 'append'>;
  private readonly notifier: OutcomeNotifier | null;
  private readonly healLog: Logger;
  private readonly supervisorLog: Logger;
  private readonly holdsLog: Logger;
  private readonly restarts;
  private readonly skips;
  private readonly recreates;

  constructor(deps: RecorderDeps) {
    this.store = deps.store;
    this.notifier = deps.notifier ?? null;
    this.healLog = componentLogger(deps.logger, 'heal');
    this.supervisorLog = componentLogger(deps.logger, 'supervisor');
    this.holdsLog = componentLogger(deps.logger, 'holds');
    const m = deps.metrics;
    this.restarts = m.counter('autoheal_restarts_total', 'Restarts (and stops) made by autoheal, by result');
    this.skips = m.counter('autoheal_heals_skipped_total', 'Heals not carried out, by reason');
    this.recreates = m.counter(
      'autoheal_dependents_recreated_total',
      'Dependents re-created into a replaced parent, by result',
    );
  }

  /** Writes the outcome down: audit event, log line, metric, notification. Returns the stored event. */
  record(o: Outcome): AuditEvent {
    this.count(o);
    this.logLine(o);
    const event = this.store.append(auditEventOf(o));
    this.tell(o);
    return event;
  }

  private count(o: Outcome): void {
    switch (o.kind) {
      case 'recovered':
        this.skips.inc({ reason: 'recovered' });
        break;
      case 'skipped':
        this.skips.inc({ reason: o.reason });
        break;
      case 'notified':
        this.skips.inc({ reason: 'notify_only' });
        break;
      case 'acted':
      case 'dependent_acted':
        this.restarts.inc({ result: o.error === null ? 'success' : 'failed', action: o.action });
        break;
      case 'recreated':
        this.recreates.inc({ result: 'success' });
        break;
      case 'recreate_failed':
        this.recreates.inc({ result: 'failed' });
        break;
      default:
        break;
    }
  }

  private logLine(o: Outcome): void {
    const line = logLineOf(o);
    if (line === null) return;
    const base = SUPERVISOR_OUTCOMES.has(o.kind)
      ? this.supervisorLog
      : HOLD_OUTCOMES.has(o.kind)
        ? this.holdsLog
        : this.healLog;
    const about = 'c' in o ? o.c : o.kind === 'unsilenced' ? { name: o.name, id: o.id ?? undefined } : null;
    const log = about ? containerLogger(base, about.name, about.id) : base;
    log[line.level](line.fields, line.msg);
  }

  /** The notification, and after a restart attempt the post-restart script (as willfarrell/docker-autoheal runs it). */
  private tell(o: Outcome): void {
    if (this.notifier === null) return;
    const n = notificationOf(o);
    if (n !== null) this.notifier.notify(n);
    const notice = noticeOf(o);
    if (notice !== null) this.notifier.notice?.(notice);
    if (o.kind === 'acted' && o.action === 'restart') {
      this.notifier.runPostRestartScript({
        containerName: o.c.name,
        containerId: o.c.id,
        state: o.error === null ? 'running' : 'failed',
        stopTimeoutS: o.stopTimeoutS,
      });
    }
  }
}
