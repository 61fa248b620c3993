/**
 * The health probe's own words, cut to size: what an `unhealthy` event, a restart's
 * reason and a notification carry.
 */
import { describe, expect, it } from 'vitest';
import { formatNotification } from '../../../src/notify/message.js';
import { lastOutputLine, probeReport, trimBytes } from '../../../src/supervisor/probe-log.js';

const probe = (output: string, exit_code = 1) => ({
  start: '2026-11-21T12:00:00.000Z',
  end: '2026-11-21T12:00:00.100Z',
  exit_code,
  output,
});

describe('the probe log', () => {
  it('keeps the last three probes, each output cut to 1 KiB', () => {
    const log = [probe('a'), probe('b'), probe('c'), probe('x'.repeat(5000))];
    const report = probeReport(4, log);
    expect(report.failing_streak).toBe(4);
    expect(report.log.map((p) => p.output.slice(0, 1))).toEqual(['b', 'c', 'x']);
    expect(report.log[2]?.output).toHaveLength(1024);
    expect(report.log[2]).toMatchObject({ exit_code: 1, start: '2026-11-21T12:00:00.000Z' });
  });

  it('never cuts a character in half', () => {
    const text = 'é'.repeat(600); // 2 bytes each
    const cut = trimBytes(text, 1023);
    expect(Buffer.byteLength(cut)).toBe(1022);
    expect(cut).not.toContain('\uFFFD');
  });

  it('names the first non-empty line of the last output, at most 200 characters', () => {
    expect(lastOutputLine([probe('old'), probe('\n  curl: (7) connection refused\nmore')])).toBe(
      'curl: (7) connection refused',
    );
    expect(lastOutputLine([probe('y'.repeat(300))])).toHaveLength(200);
    expect(lastOutputLine([probe('')])).toBeNull();
    expect(lastOutputLine(undefined)).toBeNull();
  });

  it('a notification carries the last probe output', () => {
    const text = formatNotification(
      {
        kind: 'restart',
        containerName: 'web',
        containerId: 'a'.repeat(64),
        reason: 'health_status: unhealthy',
        probeOutput: 'db connection refused',
      },
      'host1',
    );
    expect(text).toBe(
      '[host1] Restarted web (aaaaaaaaaaaa) after health_status: unhealthy; last probe: db connection refused',
    );
  });
});
