/**
 * What a restart and a stop share: count the attempt against the damping record, ask the
 * engine (tracked as in flight, so its `die` is autoheal's own), time it, and write the
 * outcome down. A failed attempt is kept on the record; the caller decides about a retry.
 */
import { containerLogger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { AuditEvent } from '../../store/types.js';
import type { Running } from '../heal/in-flight.js';
import { type HealRecord, nextAttemptAt, recordAttempt, recordFailedAttempt } from '../restart-policy.js';
import type { ActionDeps, ActionRequest } from './types.js';

export interface EngineActionDone {
  event: AuditEvent;
  failed: boolean;
  /** When a failed attempt may be retried (epoch ms), or null. */
  retryAtMs: number | null;
}

/**
 * The engine request itself, tracked as in flight while it runs: the entry with the
 * engine's error (null on success), or null when a shutdown already wrote it down.
 */
export async function callEngine(
  d: Pick<ActionDeps, 'engine' | 'inFlight'>,
  id: string,
  running: Running,
  stopTimeoutS: number,
): Promise<(Running & { error: string | null }) | null> {
  d.inFlight.track(id, running);
  let error: string | null = null;
  try {
    if (running.action === 'stop') await d.engine.stop(id, stopTimeoutS);
    else await d.engine.restart(id, stopTimeoutS);
  } catch (err) {
    error = errorText(err);
  }
  const entry = d.inFlight.untrack(id);
  return entry === null ? null : { ...entry, error };
}

export async function actOnEngine(
  d: ActionDeps,
  req: ActionRequest,
  action: 'restart' | 'stop',
): Promise<EngineActionDone | null> {
  const { c, trigger, stopTimeoutS } = req;
  const t0 = d.now();
  let record: HealRecord | null = null;
  if (req.record) {
    record = recordAttempt(req.record, t0, d.records.damping(c));
    d.records.save(c.id, record);
  }
  containerLogger(d.log, c.name, c.id).info(
    { trigger, action, stop_timeout_s: stopTimeoutS },
    action === 'stop' ? 'stopping' : 'restarting',
  );
  const entry = await callEngine(d, c.id, { name: c.name, trigger, action, sinceMs: t0 }, stopTimeoutS);
  // Already written down as interrupted by a shutdown.
  if (entry === null) return null;
  const { error } = entry;
  const forgotten = entry.forgotten === true;
  await d.probes.afterReport(c.id);
  const end = d.now();
  const acted = {
    kind: 'acted',
    c,
    action,
    trigger,
    durationMs: end - t0,
    stopTimeoutS,
    endMs: end,
    reason: trigger === 'api' ? null : d.probes.line(c.id),
  } as const;

  if (error !== null) {
    // A container destroyed meanwhile has no record left to keep and nothing to retry.
    let retryAtMs: number | null = null;
    if (record && !forgotten) {
      record = recordFailedAttempt(record, end);
      d.records.save(c.id, record);
      retryAtMs = nextAttemptAt(record, d.records.damping(c));
    }
    const event = d.recorder.record({ ...acted, error, retryAtMs });
    return { event, failed: true, retryAtMs };
  }
  if (trigger !== 'api') d.latency.observe((end - req.reportedAtMs) / 1000);
  const event = d.recorder.record({ ...acted, error: null, retryAtMs: null });
  return { event, failed: false, retryAtMs: null };
}
