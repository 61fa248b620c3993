/**
 * The one place outcomes are written down: an `Outcome` (./outcomes.ts) becomes the audit
 * event in the store and the metric that counts it; the heal-skip log line is written here
 * too. Call sites still log their own context (which engine call, how long) and send their
 * notifications. See docs/ARCHITECTURE.md.
 */
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { AuditEvent, AuditTrail } from '../store/types.js';
import { auditEventOf, type Outcome } from './outcomes.js';

export interface RecorderDeps {
  store: Pick<AuditTrail, 'append'>;
  metrics: MetricsRegistry;
  logger: Logger;
}

export class Recorder {
  private readonly store: Pick<AuditTrail, 'append'>;
  private readonly log: Logger;
  private readonly restarts;
  private readonly skips;
  private readonly recreates;

  constructor(deps: RecorderDeps) {
    this.store = deps.store;
    this.log = componentLogger(deps.logger, 'heal');
    const m = deps.metrics;
    this.restarts = m.counter('autoheal_restarts_total', 'Restarts (and stops) made by autoheal, by result');
    this.skips = m.counter('autoheal_heals_skipped_total', 'Heals not carried out, by reason');
    this.recreates = m.counter(
      'autoheal_dependents_recreated_total',
      'Dependents re-created into a replaced parent, by result',
    );
  }

  /** Writes the outcome down: audit event and metric. Returns the stored event. */
  record(o: Outcome): AuditEvent {
    switch (o.kind) {
      case 'recovered':
        this.skips.inc({ reason: 'recovered' });
        break;
      case 'skipped':
        this.skips.inc({ reason: o.reason });
        containerLogger(this.log, o.c.name, o.c.id).info(
          { reason: o.reason, trigger: o.trigger },
          `not restarted: ${o.detail}`,
        );
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
      case 'health':
        containerLogger(this.log, o.c.name, o.c.id).info(
          { health: o.state, previous: o.previous, source: o.source },
          'health changed',
        );
        break;
      default:
        break;
    }
    return this.store.append(auditEventOf(o));
  }
}
