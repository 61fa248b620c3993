/**
 * The words of the notices about autoheal itself (not about one container): it started, it
 * cannot reach the engine or write its store, and each recovery. One place, so every channel
 * and every test says the same.
 */

/** "3 min" or "45 s": how long an outage lasted, as a message gives it. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 120 ? `${min} min` : `${Math.round(min / 60)} h`;
}

export const NOTICES = {
  started: (o: { version: string; label: string; intervalS: number }) =>
    `autoheal ${o.version} started: monitoring containers labelled ${o.label === 'all' ? '(all containers)' : `${o.label}=true`}, reconciling every ${o.intervalS} s`,
  engineUnreachable: (o: { forMs: number; error: string }) =>
    `autoheal cannot reach the Docker engine (for ${duration(o.forMs)}): ${o.error}; it reacts to no engine event until it is back, and heals only what a reconcile can still list`,
  engineBack: (o: { afterMs: number }) =>
    `autoheal reaches the Docker engine again, after ${duration(o.afterMs)} without it; it reacts to engine events at once again`,
  storeUnwritable: (o: { dir: string; error: string }) =>
    `autoheal cannot write its store in ${o.dir}: ${o.error}; it keeps healing and keeps the audit events in memory until the store is writable again`,
  storeBack: (o: { dir: string; afterMs: number }) =>
    `autoheal can write its store in ${o.dir} again, after ${duration(o.afterMs)}; the events kept in memory are saved`,
} as const;
