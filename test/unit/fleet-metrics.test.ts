import { describe, expect, it } from 'vitest';
import { registerFleetMetrics } from '../../src/fleet/metrics.js';
import { MetricsRegistry } from '../../src/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const record = (name: string, gaveUpAt: number | null) => ({
  name,
  attempts: [1],
  consecutive: 1,
  lastAttemptAt: 1,
  healthySince: null,
  gaveUpAt,
  notified: false,
});

describe('fleet metrics', () => {
  it('name the host and give each healed container its restarts and whether autoheal gave up on it', async () => {
    const store = new MemoryStore({ eventsMax: 100 });
    store.setHealRecord('a'.repeat(64), record('web', null));
    store.setHealRecord('b'.repeat(64), record('db', 1_700_000_000_000));
    store.append({
      event_type: 'restart',
      container_id: 'a'.repeat(64),
      container_name: 'web',
      status: 'success',
      message: 'm',
    });
    store.append({
      event_type: 'restart',
      container_id: 'a'.repeat(64),
      container_name: 'web',
      status: 'success',
      message: 'm',
    });
    const metrics = new MetricsRegistry();
    registerFleetMetrics({ metrics, store, host: 'alpha', version: '1.0.0', peers: () => 2 });
    const text = await metrics.render();
    expect(text).toContain('autoheal_info{host="alpha",version="1.0.0"} 1');
    expect(text).toContain('autoheal_container_restarts_total{container="web"} 2');
    expect(text).toContain('autoheal_container_restarts_total{container="db"} 0');
    expect(text).toContain('autoheal_container_given_up{container="db"} 1');
    expect(text).toContain('autoheal_container_given_up{container="web"} 0');
    expect(text).toContain('autoheal_fleet_peers 2');
  });
});
