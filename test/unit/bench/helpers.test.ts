import { describe, expect, it } from 'vitest';
import { callShape } from '../../../bench/lib/counting-proxy.js';
import { formatMs, formatRatio, nanoDiffMs, percentile, ratio, summarize } from '../../../bench/lib/stats.js';
import { barChartSvg, escapeXml, logTicks, tickLabel } from '../../../bench/lib/svg.js';
import { syntheticEvent } from '../../../bench/pipeline/flood.js';
import { toContainerEvent } from '../../../src/engine/events.js';

describe('the bench statistics', () => {
  it('takes nearest-rank percentiles, whatever the order of the samples', () => {
    const samples = [50, 10, 40, 20, 30, 100, 90, 80, 70, 60];
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 90)).toBe(90);
    expect(percentile(samples, 99)).toBe(100);
    expect(percentile(samples, 0)).toBe(10);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes samples into n, min, percentiles, max and mean', () => {
    expect(summarize([3, 1, 2])).toEqual({ n: 3, min: 1, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
    expect(summarize([]).n).toBe(0);
  });

  it('gives a ratio only when both figures exist and the reference is not zero', () => {
    expect(ratio(30, 20)).toBe(1.5);
    expect(ratio(null, 20)).toBeNull();
    expect(ratio(30, 0)).toBeNull();
    expect(ratio(Number.NaN, 20)).toBeNull();
  });

  it('subtracts engine nanosecond timestamps without losing precision', () => {
    // Both exceed 2^53: as Numbers the 1 µs difference would vanish.
    expect(nanoDiffMs('1764775535123456789', '1764775535123457789')).toBe(0.001);
    expect(nanoDiffMs('1764775535000000000', '1764775536500000000')).toBe(1500);
  });

  it('formats durations and ratios for people', () => {
    expect(formatMs(4.25)).toBe('4.3 ms');
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(4190)).toBe('4.19 s');
    expect(formatMs(38_900)).toBe('38.9 s');
    expect(formatMs(null)).toBe('n/a');
    expect(formatRatio(2.5)).toBe('2.50×');
    expect(formatRatio(null)).toBe('n/a');
  });
});

describe('the bench plots', () => {
  it('covers the values with decades on the log axis', () => {
    expect(logTicks(16, 38_900)).toEqual([10, 100, 1000, 10_000, 100_000]);
    expect(logTicks(5, 5)).toEqual([1, 10]);
    expect(tickLabel(100)).toBe('100 ms');
    expect(tickLabel(10_000)).toBe('10 s');
    expect(tickLabel(600_000)).toBe('10 min');
    expect(tickLabel(100_000)).toBe('100 s');
  });

  it('draws one bar per contender and group, n/a for a missing value, and escapes text', () => {
    const svg = barChartSvg({
      title: 'a <b> & "c"',
      unit: 'ms',
      groups: ['1 container', '50 containers'],
      series: [
        { name: 'autoheal', color: '#00f', values: [33, 17_400], ranges: [[20, 40], null] },
        { name: 'polling', color: '#f00', values: [3800, null] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(`<title>${escapeXml('a <b> & "c"')}</title>`);
    expect(svg).not.toContain('<b>');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(3);
    expect(svg).toContain('>n/a</text>');
    expect(svg).toContain('autoheal, 50 containers: 17400 ms');
  });
});

describe('the bench engine plumbing', () => {
  it('counts engine calls by shape, without API version or container id', () => {
    expect(callShape('GET', `/v1.41/containers/${'a'.repeat(64)}/json?size=false`)).toBe(
      'GET /containers/{id}/json',
    );
    expect(callShape('GET', '/containers/json?all=1')).toBe('GET /containers/json');
    expect(callShape('POST', `/containers/${'b'.repeat(12)}/restart?t=10`)).toBe(
      'POST /containers/{id}/restart',
    );
  });

  it('writes synthetic events that autoheal parses as the engine would send them', () => {
    const ids = ['c'.repeat(64), 'd'.repeat(64)];
    const lines = [0, 1, 2, 4, 6].map((i) => syntheticEvent(i, 'bench', ids));
    const events = lines.map((line) => toContainerEvent(JSON.parse(line), line));
    expect(events.map((e) => [e?.action, e?.health, e?.id])).toEqual([
      ['start', undefined, ids[0]],
      ['start', undefined, ids[1]],
      ['health_status', 'healthy', ids[0]],
      ['health_status', 'unhealthy', ids[0]],
      ['die', undefined, ids[0]],
    ]);
    expect(events[0]?.labels).toEqual({ bench: 'true' });
    expect(events[1]?.timeNano).toBe('1700000000000001000');
  });
});
