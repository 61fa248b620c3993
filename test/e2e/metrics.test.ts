/**
 * `GET /metrics` of the built autoheal against the real engine, after a real heal, passes
 * `promtool check metrics` and holds what dashboards and the benchmark read: the heal
 * counters, the engine API calls by call, and the process metrics with the event-loop lag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutohealProcess, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import {
  createHealthContainer,
  makeUnhealthy,
  removeAll,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { promtoolCommand } from '../support/test-tools.js';

const labelKey = uniqueLabelKey();
let ah: AutohealProcess;
let text: string;

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('the /metrics of a running autoheal', () => {
  beforeAll(async () => {
    // Fails up front, naming promtool and its install command, when it is missing.
    await promtoolCommand();
    ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: labelKey, AUTOHEAL_INTERVAL: '2' } });
    const c = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    await waitForHealth(c, 'healthy', 20_000);
    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'restart' && e.container_id === c.id && e.status === 'success',
      30_000,
      `a restart of ${c.name}`,
    );
    const res = await fetch(`${await ah.apiUrl()}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
  });

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
  });

  it('passes promtool check metrics', async () => {
    const check = await promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(check.ok).toBe(true);
  });

  it('counts the restart, and the engine calls it took by call', () => {
    expect(sample('autoheal_restarts_total{result="success",action="restart"}')).toBe(1);
    expect(sample('autoheal_engine_requests_total{call="restart"}')).toBe(1);
    // A heal reads the live container mirror while the event stream is up, so an inspect per
    // heal is not required; the series is there from the start, counted or not.
    expect(text).toContain('autoheal_engine_requests_total{call="inspect"}');
    expect(sample('autoheal_engine_requests_total{call="list"}')).toBeGreaterThanOrEqual(1);
    expect(sample('autoheal_engine_requests_total{call="stop"}')).toBe(0);
  });

  it('exports the dropped-events count as a counter', () => {
    expect(text).toContain('# TYPE autoheal_event_queue_dropped_total counter\n');
    expect(sample('autoheal_event_queue_dropped_total')).toBe(0);
  });

  it('exports the process metrics and the event-loop lag, without the nodejs_active_*_total gauges', () => {
    expect(sample('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
  });
});
