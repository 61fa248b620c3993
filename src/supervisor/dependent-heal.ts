/**
 * One dependent's heal, queued by the healer after the container whose network it uses was
 * restarted: re-inspected when its turn comes, then its own `autoheal.action` (restart by
 * default, stop, or only notify), tracked as in flight so its `die` is autoheal's.
 */
import type { ContainerSnapshot, Engine } from '../engine/types.js';
import { containerLogger, type Logger } from '../log.js';
import type { AuditEvent, NewAuditEvent } from '../store/types.js';
import { dependentProtection, usesNetworkOf } from './dependents.js';
import type { ContainerIdentity, EnrollmentRules } from './enrollment.js';
import type { HealNotifier } from './healer.js';
import { actionFromLabel, stopTimeoutFromLabel } from './labels.js';

/** What a dependent's heal needs from the healer. */
export interface DependentHealContext {
  engine: Engine;
  rules: () => EnrollmentRules;
  now: () => number;
  log: Logger;
  notifier: HealNotifier | null;
  defaultStopTimeoutS: number;
  /** The engine request for `id` starts now. */
  track(id: string, entry: { name: string; action: 'restart' | 'stop'; sinceMs: number }): void;
  /** It ended; false when a shutdown already wrote it down as interrupted. */
  untrack(id: string): boolean;
  countRestart(result: 'success' | 'failed', action: 'restart' | 'stop'): void;
  append(event: NewAuditEvent): AuditEvent;
  /** Records a heal not carried out (the healer's one place for skips). */
  skip(
    c: ContainerIdentity,
    reason: string,
    detail: string,
    fresh: ContainerSnapshot,
    extra: Record<string, unknown>,
  ): AuditEvent;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function healDependent(
  ctx: DependentHealContext,
  dep: ContainerIdentity,
  parent: ContainerIdentity,
): Promise<AuditEvent | null> {
  const log = containerLogger(ctx.log, dep.name, dep.id);
  let fresh: ContainerSnapshot | null;
  try {
    fresh = await ctx.engine.inspect(dep.id);
  } catch (err) {
    log.warn({ err: errorText(err), dependency: parent.name }, 'cannot inspect the dependent: not restarted');
    return null;
  }
  // It may have stopped, left the namespace or been excluded while it waited for its turn.
  const protectedBy = fresh ? dependentProtection(fresh, ctx.rules()) : 'gone';
  if (fresh === null || protectedBy !== null || fresh.state !== 'running' || !usesNetworkOf(fresh, parent)) {
    log.info({ dependency: parent.name, reason: protectedBy ?? fresh?.state }, 'dependent not restarted');
    return null;
  }
  const cause = { trigger: 'dependent', dependency: parent.name, dependency_id: parent.id };
  const action = actionFromLabel(fresh.labels) ?? 'restart';
  if (action === 'notify') {
    ctx.notifier?.notify({
      kind: 'unhealthy_notify',
      containerName: fresh.name,
      containerId: fresh.id,
      reason: `loss of its network: ${parent.name} was restarted`,
    });
    return ctx.skip(
      fresh,
      'notify_only',
      `it uses the network of ${parent.name}, which was restarted, and its label autoheal.action=notify asks only for a notification`,
      fresh,
      cause,
    );
  }

  const stopTimeoutS = stopTimeoutFromLabel(fresh.labels) ?? ctx.defaultStopTimeoutS;
  const t0 = ctx.now();
  ctx.track(dep.id, { name: fresh.name, action, sinceMs: t0 });
  let error: string | null = null;
  try {
    if (action === 'stop') await ctx.engine.stop(dep.id, stopTimeoutS);
    else await ctx.engine.restart(dep.id, stopTimeoutS);
  } catch (err) {
    error = errorText(err);
  }
  if (!ctx.untrack(dep.id)) return null;
  const durationMs = ctx.now() - t0;
  const details = { ...cause, stop_timeout_s: stopTimeoutS, duration_ms: durationMs };
  ctx.countRestart(error === null ? 'success' : 'failed', action);
  if (error !== null) {
    log.error({ err: error, dependency: parent.name }, `${action} of a dependent failed`);
    return ctx.append({
      event_type: action,
      container_id: dep.id,
      container_name: fresh.name,
      status: 'failed',
      message: `${action === 'stop' ? 'Stop' : 'Restart'} of ${fresh.name}, which uses the network of ${parent.name}, failed in ${durationMs} ms: ${error}`,
      details: { ...details, error },
    });
  }
  const done = action === 'stop' ? 'Stopped' : 'Restarted';
  log.info({ dependency: parent.name, duration_ms: durationMs }, `${done.toLowerCase()} a dependent`);
  ctx.notifier?.notify({
    kind: action === 'stop' ? 'stop' : 'dependent_restart',
    containerName: fresh.name,
    containerId: fresh.id,
    reason: `it uses the network of ${parent.name}`,
    durationMs,
  });
  return ctx.append({
    event_type: action,
    container_id: dep.id,
    container_name: fresh.name,
    status: 'success',
    message: `${done} ${fresh.name} because it uses the network of ${parent.name}, which was restarted (in ${durationMs} ms)`,
    details,
  });
}
