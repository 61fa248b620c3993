/**
 * Where an engine event comes in: taken off the bounded queue (./event-queue.ts), it is
 * turned into what it means for autoheal — a destroyed container forgotten, a monitored one
 * enrolled, its death written down, its health handed to the healer.
 */
import type { ContainerEvent } from '../../engine/types.js';
import { containerLogger, type Logger } from '../../log.js';
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

export interface EventHandlerDeps {
  store: Pick<HealRecords, 'markMonitored' | 'forgetMonitored'>;
  enrollment: Pick<Enrollment, 'verdict' | 'labelKey'>;
  recorder: Recorder;
  healer: Pick<Healer, 'forget' | 'healthy' | 'unhealthy' | 'restarting'>;
  dependents: Pick<DependentRecreator, 'observe' | 'started'>;
  healthEvents: HealthEvents;
  /** Writes a monitored container's health changes down. */
  health: Pick<HealthTransitions, 'onEvent'>;
  /** Learns which containers' notifications their label mutes. */
  mute: Pick<NotifyMute, 'observe'>;
  log: Logger;
  /** autoheal is shutting down: events are no longer acted on. */
  stopped: () => boolean;
}

export class EventHandler {
  constructor(private readonly d: EventHandlerDeps) {}

  handle(event: ContainerEvent): void {
    try {
      this.handleUnsafe(event);
    } catch (err) {
      // A bug here must cost one event, never the stream.
      this.d.log.error(
        { container: event.name, action: event.action, err: errorText(err) },
        'failed to handle an engine event',
      );
    }
  }

  private handleUnsafe(event: ContainerEvent): void {
    const d = this.d;
    if (d.stopped()) return;
    const log = containerLogger(d.log, event.name, event.id);
    d.health.onEvent(event);
    d.mute.observe(event);
    d.dependents.observe(event);
    if (event.action === 'destroy') {
      d.healthEvents.forget(event.id);
      d.store.forgetMonitored(event.id);
      d.healer.forget(event.id);
      log.debug('container destroyed: its in-memory state is forgotten');
      return;
    }
    const verdict = d.enrollment.verdict(event);
    if (verdict.monitored) ensureEnrolled(this.enrolDeps(), event, verdict.enrolledBy);

    switch (event.action) {
      case 'start':
        log.debug({ monitored: verdict.monitored }, 'container started');
        d.dependents.started(event);
        return;
      case 'die':
      case 'oom': {
        if (!verdict.monitored) return;
        const duringHeal = d.healer.restarting(event.id);
        d.recorder.record({
          kind: 'died',
          c: event,
          action: event.action,
          exitCode: event.exitCode,
          duringHeal,
        });
        return;
      }
      case 'health_status': {
        d.healthEvents.seen(event.id);
        if (event.health === 'healthy') {
          if (verdict.monitored) d.healer.healthy(event, 'event');
          return;
        }
        if (event.health !== 'unhealthy') {
          log.debug({ health: event.health }, 'health changed');
          return;
        }
        if (verdict.monitored) {
          d.healer.unhealthy(event, 'event');
        } else if (verdict.enrolledBy !== null && verdict.excluded) {
          d.recorder.record({ kind: 'excluded', c: event });
        } else {
          log.debug({ reason: verdict.reason }, 'unhealthy but not monitored');
        }
        return;
      }
    }
  }

  private enrolDeps() {
    return { store: this.d.store, recorder: this.d.recorder, labelKey: this.d.enrollment.labelKey };
  }
}
