/**
 * What a heal action (restart, stop, notify) is handed: the container as just inspected,
 * what set the heal off, its loop-damping record, and the parts of the healer it may use.
 * Add a new action as one file here implementing `HealAction`, chosen in ../heal/heal.ts.
 */
import type { ContainerSnapshot, Engine } from '../../engine/types.js';
import type { Logger } from '../../log.js';
import type { AuditEvent } from '../../store/types.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { InFlight } from '../heal/in-flight.js';
import type { ProbeReports } from '../heal/probe-reports.js';
import type { HealRecords } from '../heal/records.js';
import type { HealScheduler } from '../heal/scheduler.js';
import type { HealTrigger } from '../heal-decision.js';
import type { Recorder } from '../record/recorder.js';
import type { HealRecord } from '../restart-policy.js';

export interface ActionDeps {
  engine: Engine;
  recorder: Recorder;
  records: HealRecords;
  inFlight: InFlight;
  probes: ProbeReports;
  scheduler: Pick<HealScheduler, 'schedule' | 'stopped'>;
  now: () => number;
  log: Logger;
  /** Seconds from the unhealthy report to the end of an automatic heal. */
  latency: { observe(seconds: number): void };
}

export interface ActionRequest {
  /** Who is acted on (as just inspected). */
  c: ContainerIdentity;
  fresh: ContainerSnapshot;
  trigger: HealTrigger;
  /** When the container was first reported unhealthy (epoch ms). */
  reportedAtMs: number;
  stopTimeoutS: number;
  /** The first line of the failing probe's output this inspect found (null for an operator's restart). */
  probeLine: string | null;
  /** Its damping record, with this spell observed; null for an operator's restart (not damped). */
  record: HealRecord | null;
}

export interface HealAction {
  /** Acts and writes the outcome down; null when there is nothing to write (a shutdown did). */
  run(req: ActionRequest): Promise<AuditEvent | null>;
}
