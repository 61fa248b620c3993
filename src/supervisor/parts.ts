/**
 * How the domain's parts are wired together, once, for the supervisor: enrollment and the
 * recorder first (every other part writes through it), then the healer, the dependents'
 * re-creator, the intake (events and reconcile) and the operator's views and lists.
 */
import type { Settings } from '../config/settings.js';
import type { ContainerSource } from '../engine/container-source.js';
import type { Engine } from '../engine/types.js';
import { componentLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { AuditStore } from '../store/types.js';
import { ListEditor } from './control/lists.js';
import { ContainerViews } from './control/views.js';
import { DependentRecreator } from './dependents/recreator.js';
import { Enrollment } from './enrollment-rules.js';
import { Healer } from './heal/healer.js';
import { HealthTransitions } from './health-transitions.js';
import { HoldKeeper } from './hold-keeper.js';
import { EventQueue, logFlood } from './intake/event-queue.js';
import { EventHandler } from './intake/events.js';
import { HealthEvents } from './intake/health-events.js';
import { Reconciler, type ReconcileTrigger } from './intake/reconcile.js';
import { NotifyMute } from './notify-mute.js';
import { type OutcomeNotifier, Recorder } from './record/recorder.js';

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

/** What the parts ask of the supervisor's own state. */
export interface Life {
  engineConnected: () => boolean;
  stopped: () => boolean;
  reconcile: (trigger: ReconcileTrigger) => void;
}

export interface Parts {
  enrollment: Enrollment;
  recorder: Recorder;
  holds: HoldKeeper;
  healer: Healer;
  dependents: DependentRecreator;
  intake: EventQueue;
  reconciler: Reconciler;
  views: ContainerViews;
  lists: ListEditor;
}

export function wireParts(deps: SupervisorDeps, life: Life): Parts {
  const log = componentLogger(deps.logger, 'supervisor');
  const now = deps.now ?? Date.now;
  const notifier = deps.notifier ?? null;
  const { engine, store, settings } = deps;
  const enrollment = new Enrollment(settings, store, deps.selfId);
  // The label autoheal.notify=false mutes a container's notifications, learnt from events and lists.
  const mute = new NotifyMute(notifier, deps.logger);
  const recorder = new Recorder({ store, metrics: deps.metrics, logger: deps.logger, notifier: mute });
  const holds = new HoldKeeper({
    store,
    recorder,
    now,
    // What is still unhealthy is healed now, not at the next interval.
    onEnded: () => {
      if (life.engineConnected() && !life.stopped()) life.reconcile('config');
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
    holds,
  });
  const dependents = new DependentRecreator({
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
  // What an event and a reconcile's list both tell, and whom.
  const listeners = {
    store,
    enrollment,
    recorder,
    healer,
    dependents,
    healthEvents,
    health,
    mute,
    log,
    stopped: life.stopped,
  };
  const events = new EventHandler(listeners);
  const reconciler = new Reconciler({
    ...listeners,
    engine,
    settings,
    engineConnected: life.engineConnected,
  });
  const intake = new EventQueue(
    deps.intakeCapacity ?? 10_000,
    (event) => events.handle(event),
    logFlood(log),
  );
  const views = new ContainerViews({
    containers: deps.containers ?? { list: () => engine.listContainers() },
    store,
    enrollment,
    healer,
    holds,
    settings,
    now,
  });
  const lists = new ListEditor({ store, settings, recorder, changed: () => life.reconcile('config') });
  deps.metrics.gauge(
    'autoheal_event_queue_size',
    'Engine events waiting to be handled',
    () => intake.status().size,
  );
  deps.metrics.family(
    'autoheal_event_queue_dropped_total',
    'Engine events merged or dropped because the queue was full',
    'counter',
    [],
    () => [[{}, intake.status().dropped]],
  );
  return { enrollment, recorder, holds, healer, dependents, intake, reconciler, views, lists };
}
