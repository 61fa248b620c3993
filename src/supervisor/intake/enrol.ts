/**
 * The first sight of a monitored container: its id is remembered and the enrolment is
 * written down once (`auto_monitor`), whether an event or a reconcile saw it first.
 */
import type { HealRecords } from '../../store/types.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { Recorder } from '../record/recorder.js';
import type { EnrolledBy } from '../types.js';

export interface EnrolDeps {
  store: Pick<HealRecords, 'markMonitored'>;
  recorder: Recorder;
  /** `AUTOHEAL_CONTAINER_LABEL`, for the words of the record. */
  labelKey: string;
}

/** Records `auto_monitor` the first time a container id is monitored. */
export function ensureEnrolled(d: EnrolDeps, c: ContainerIdentity, enrolledBy: EnrolledBy): void {
  if (!d.store.markMonitored(c.id)) return;
  d.recorder.record({ kind: 'enrolled', c, enrolledBy, labelKey: d.labelKey });
}
