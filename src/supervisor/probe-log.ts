/**
 * The health probe's own words: what the engine recorded about the last probes
 * (`State.Health.Log`), cut to what an audit event and a notification carry. Pure.
 */
import type { ProbeResult } from '../engine/types.js';

/** Probes an `unhealthy` event carries, newest last. */
export const PROBES_KEPT = 3;
/** Bytes of one probe's output kept in the audit trail. */
export const PROBE_OUTPUT_BYTES = 1024;
/** Characters of the last output a notification or `details.reason` carries. */
export const REASON_CHARS = 200;

/** What `details.health` of an `unhealthy` event holds. */
export interface ProbeReport {
  failing_streak: number;
  log: ProbeResult[];
}

/** Cuts a text to at most `maxBytes` of UTF-8 without splitting a character. */
export function trimBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // A cut inside a multi-byte character decodes to U+FFFD at the end: drop it.
  return bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** The last probes (at most 3), each output trimmed to 1 KiB. */
export function probeReport(failingStreak: number, log: readonly ProbeResult[]): ProbeReport {
  return {
    failing_streak: failingStreak,
    log: log.slice(-PROBES_KEPT).map((p) => ({ ...p, output: trimBytes(p.output, PROBE_OUTPUT_BYTES) })),
  };
}

/** The first non-empty line of the last probe's output, at most 200 characters; null without one. */
export function lastOutputLine(log: readonly ProbeResult[] | undefined): string | null {
  const output = log?.at(-1)?.output ?? '';
  const line = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (line === undefined) return null;
  return line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS - 1)}…` : line;
}
