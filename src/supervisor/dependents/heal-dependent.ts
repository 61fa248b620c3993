/**
 * One dependent's heal, queued after the container whose network it uses was restarted:
 * re-inspected when its turn comes, then its own `autoheal.action` (restart by default,
 * stop, or only notify), tracked as in flight so its `die` is autoheal's.
 */
import type { ContainerSnapshot, Engine } from '../../engine/types.js';
import { containerLogger, type Logger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { AuditEvent } from '../../store/types.js';
import { callEngine } from '../actions/engine-action.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { Enrollment } from '../enrollment-rules.js';
import type { InFlight } from '../heal/in-flight.js';
import { actionFromLabel, stopTimeoutFromLabel } from '../labels.js';
import type { Recorder } from '../record/recorder.js';
import { dependentProtection, usesNetworkOf } from './namespace.js';

export interface DependentHealDeps {
  engine: Engine;
  enrollment: Pick<Enrollment, 'rules'>;
  now: () => number;
  log: Logger;
  inFlight: InFlight;
  recorder: Recorder;
  defaultStopTimeoutS: number;
}

export async function healDependent(
  d: DependentHealDeps,
  dep: ContainerIdentity,
  parent: ContainerIdentity,
): Promise<AuditEvent | null> {
  const log = containerLogger(d.log, dep.name, dep.id);
  let fresh: ContainerSnapshot | null;
  try {
    fresh = await d.engine.inspect(dep.id);
  } catch (err) {
    log.warn({ err: errorText(err), dependency: parent.name }, 'cannot inspect the dependent: not restarted');
    return null;
  }
  // It may have stopped, left the namespace or been excluded while it waited for its turn.
  const protectedBy = fresh ? dependentProtection(fresh, d.enrollment.rules()) : 'gone';
  if (fresh === null || protectedBy !== null || fresh.state !== 'running' || !usesNetworkOf(fresh, parent)) {
    log.info({ dependency: parent.name, reason: protectedBy ?? fresh?.state }, 'dependent not restarted');
    return null;
  }
  const cause = { trigger: 'dependent', dependency: parent.name, dependency_id: parent.id };
  const action = actionFromLabel(fresh.labels) ?? 'restart';
  const about = { id: fresh.id, name: fresh.name };
  if (action === 'notify') {
    return d.recorder.record({
      kind: 'notified',
      c: about,
      trigger: 'dependent',
      parent: { id: parent.id, name: parent.name },
      probeOutput: null,
      details: { state: fresh.state, health: fresh.health, ...cause },
    });
  }

  const stopTimeoutS = stopTimeoutFromLabel(fresh.labels) ?? d.defaultStopTimeoutS;
  const t0 = d.now();
  const done = await callEngine(
    d,
    dep.id,
    { name: fresh.name, trigger: 'dependent', action, sinceMs: t0 },
    stopTimeoutS,
  );
  // Already written down as interrupted by a shutdown.
  if (done === null) return null;
  return d.recorder.record({
    kind: 'dependent_acted',
    c: { id: dep.id, name: fresh.name },
    parent,
    action,
    durationMs: d.now() - t0,
    stopTimeoutS,
    error: done.error,
  });
}
