/**
 * The metrics a fleet's Prometheus and Grafana need beyond one host's counters: which host
 * this is (`autoheal_info`, to join on), and per container the restarts autoheal made and
 * whether it gave up, read from the store at scrape time (its heal records are the truth
 * for both, and survive a restart of autoheal).
 */
import type { MetricsRegistry } from '../metrics.js';
import type { AuditStore } from '../store/types.js';

export interface FleetMetricsDeps {
  metrics: MetricsRegistry;
  store: Pick<AuditStore, 'knownContainerIds' | 'getHealRecord' | 'restartCount'>;
  host: string;
  version: string;
  /** How many peers the fleet view reads now. */
  peers: () => number;
}

/** The containers autoheal keeps a heal record of, by name (a recreated container keeps its name). */
function recordsByName(store: FleetMetricsDeps['store']): Map<string, { givenUp: boolean }> {
  const out = new Map<string, { givenUp: boolean }>();
  for (const id of store.knownContainerIds()) {
    const record = store.getHealRecord(id);
    if (record === null) continue;
    const givenUp = record.gaveUpAt !== null || out.get(record.name)?.givenUp === true;
    out.set(record.name, { givenUp });
  }
  return out;
}

export function registerFleetMetrics(deps: FleetMetricsDeps): void {
  const { metrics, store } = deps;
  metrics.family(
    'autoheal_info',
    'Always 1; labels name this autoheal (host, version)',
    'gauge',
    ['host', 'version'],
    () => [[{ host: deps.host, version: deps.version }, 1]],
  );
  metrics.family(
    'autoheal_container_restarts_total',
    'Successful restarts autoheal made of a container, by name',
    'counter',
    ['container'],
    () =>
      [...recordsByName(store).keys()].map(
        (name) => [{ container: name }, store.restartCount(name)] as const,
      ),
  );
  metrics.family(
    'autoheal_container_given_up',
    '1 while autoheal has given up on a container (too many restarts), else 0',
    'gauge',
    ['container'],
    () => [...recordsByName(store)].map(([name, r]) => [{ container: name }, r.givenUp ? 1 : 0] as const),
  );
  metrics.family(
    'autoheal_fleet_peers',
    'Peers the fleet view reads now (AUTOHEAL_PEERS)',
    'gauge',
    [],
    () => [[{}, deps.peers()]],
  );
}
