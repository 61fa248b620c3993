import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/metrics.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { stopSupervisors, supervisorHarness } from '../support/supervisor-harness.js';

afterEach(() => stopSupervisors());

describe('the metrics registry', () => {
  it('renders a counter read from elsewhere as a counter, rebuilt on every scrape', async () => {
    const metrics = new MetricsRegistry();
    let dropped = 2;
    metrics.family('x_dropped_total', 'Dropped', 'counter', [], () => [[{}, dropped]]);
    expect(await metrics.render()).toContain('# TYPE x_dropped_total counter\nx_dropped_total 2\n');
    dropped = 5;
    expect(await metrics.render()).toContain('\nx_dropped_total 5\n');
  });

  it('gives a counter declared without label names those of its first increment', async () => {
    const metrics = new MetricsRegistry();
    const c = metrics.counter('x_restarts_total', 'Restarts');
    expect(await metrics.render()).not.toContain('x_restarts_total');
    c.inc({ result: 'success' });
    c.inc({ result: 'success' }, 2);
    expect(await metrics.render()).toContain('x_restarts_total{result="success"} 3');
    expect(() => c.inc({ other: 'x' })).toThrow(/label/);
  });

  it('reads a gauge at scrape time', async () => {
    const metrics = new MetricsRegistry();
    let size = 1;
    metrics.gauge('x_queue_size', 'Queue', () => size);
    size = 4;
    expect(await metrics.render()).toContain('\nx_queue_size 4\n');
  });

  it('with process metrics, leaves out the nodejs_active_*_total gauges and keeps the event-loop lag', async () => {
    const text = await new MetricsRegistry({ processMetrics: true }).render();
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).not.toMatch(/nodejs_active_(handles|requests|resources)_total/);
  });

  it('the supervisor’s metrics pass promtool check metrics (the dropped-events count is a counter)', async () => {
    const { metrics, engine, supervisor } = supervisorHarness();
    const web = engine.add({ name: 'web', labels: { autoheal: 'true' }, health: 'unhealthy' });
    supervisor.onEngineEvent(engine.event(web.id, 'health_status'));
    await supervisor.settled();
    const text = await metrics.render();
    expect(text).toContain('# TYPE autoheal_event_queue_dropped_total counter');
    const check = await promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(check.ok).toBe(true);
  });
});
