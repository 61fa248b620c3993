/**
 * The failing probes behind an `unhealthy` report: read beside the heal (which never waits
 * for them), written into the report's audit event, and remembered per container (the last
 * probe output line) for the heal's outcome, its notification and the API's view. An outcome
 * of a heal is written only after the report it answers (`afterReport`).
 */
import type { Engine } from '../../engine/types.js';
import { lastOutputLine, type ProbeReport, probeReport } from '../probe-log.js';
import { afterThisTurn } from './timers.js';

/** How long the probe log read beside a heal may take before the report is written without it. */
const PROBE_READ_TIMEOUT_MS = 2_000;

export class ProbeReports {
  /** `unhealthy` reports still waiting for their probe log. */
  private readonly reports = new Map<string, Promise<void>>();
  /** The last probe output of each container a heal inspected. */
  private readonly lines = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  /**
   * Reads the probes, then calls `write` with them (null when the engine did not answer in
   * time). Unless `detached`, outcomes of this container wait for it (see `afterReport`).
   */
  report(id: string, write: (health: ProbeReport | null) => void, detached = false): void {
    // When a heal follows (not detached), the read starts after this turn, once the heal's
    // restart request is on its way: sent first, its inspect delayed the engine's kill by
    // 50-190 ms on a busy engine (docs/BENCHMARKS.md). A held-back heal sends nothing: read at once.
    const read = detached ? this.read(id) : afterThisTurn(() => this.read(id));
    const written = read.then((health) => {
      const line = health ? lastOutputLine(health.log) : null;
      if (line !== null) this.lines.set(id, line);
      write(health);
    });
    if (detached) return;
    this.reports.set(id, written);
    void written.finally(() => {
      if (this.reports.get(id) === written) this.reports.delete(id);
    });
  }

  /** Waits until this container's `unhealthy` event is written, so an outcome never precedes it. */
  async afterReport(id: string): Promise<void> {
    await this.reports.get(id);
  }

  /** The first line of the last failing probe's output autoheal read, or null. */
  line(id: string): string | null {
    return this.lines.get(id) ?? null;
  }

  remember(id: string, line: string | null): void {
    if (line !== null) this.lines.set(id, line);
  }

  forget(id: string): void {
    this.lines.delete(id);
  }

  /** `failing_streak` and the last probes from an inspect; null when the engine did not answer in time. */
  private read(id: string): Promise<ProbeReport | null> {
    let timer: NodeJS.Timeout | undefined;
    const engine = this.engine;
    const probes = engine.probes ? engine.probes(id) : engine.inspect(id).then((s) => s?.probes ?? null);
    const read = probes.then(
      (p) => (p ? probeReport(p.failingStreak, p.log) : null),
      () => null,
    );
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PROBE_READ_TIMEOUT_MS);
      timer.unref();
    });
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }
}
