/**
 * Turning the hosts' answers into the fleet's lists: the host cards with their counts, every
 * container and every event with its host, events newest first across hosts. Pure.
 */
import type { AuditEvent } from '../store/types.js';
import type { ContainerView } from '../supervisor/types.js';
import type {
  FleetHost,
  HostAnswer,
  HostCounts,
  HostedContainer,
  HostedEvent,
  HostIdentity,
} from './types.js';

export function hostCounts(containers: readonly ContainerView[]): HostCounts {
  let monitored = 0;
  let unhealthy = 0;
  let givenUp = 0;
  for (const c of containers) {
    if (c.monitored) monitored += 1;
    if (c.monitored && c.health === 'unhealthy') unhealthy += 1;
    if (c.gave_up) givenUp += 1;
  }
  return { containers: containers.length, monitored, unhealthy, given_up: givenUp };
}

/** A host's name before it has said it: the address it is read at. */
export function fallbackName(url: string, self: boolean): string {
  if (self) return 'this host';
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** What one host's card needs: who it is, and its containers (either may have failed). */
export interface HostReport {
  identity: HostAnswer<HostIdentity>;
  containers: HostAnswer<ContainerView[]>;
}

export function hostCard(report: HostReport): FleetHost {
  const { source } = report.identity;
  const identity = report.identity.ok ? report.identity.value : null;
  const containers = report.containers.ok ? report.containers.value : null;
  const errors = [report.identity, report.containers].flatMap((a) => (a.ok ? [] : [a.error]));
  const url = source.url;
  return {
    host: identity?.host ?? fallbackName(url, source.self),
    url,
    ui_url: identity?.publicUrl ?? (source.self ? '/' : url === '' ? '/' : `${url}/`),
    self: source.self,
    // Down means it did not answer; an engine it cannot reach is its own (shown) state.
    ok: report.identity.ok,
    error: errors.length === 0 ? null : [...new Set(errors)].join('; '),
    version: identity?.version ?? null,
    engine_connected: identity?.engineConnected ?? null,
    counts: containers === null ? null : hostCounts(containers),
  };
}

/** This host first, then by name. */
export function byHost(a: FleetHost, b: FleetHost): number {
  return Number(b.self) - Number(a.self) || a.host.localeCompare(b.host) || a.url.localeCompare(b.url);
}

export function withHost<T extends object>(items: readonly T[], host: string): (T & { host: string })[] {
  return items.map((item) => ({ ...item, host }));
}

/** Every host's containers, each with its host, by host then name. */
export function mergeContainers(
  parts: readonly { host: string; containers: readonly ContainerView[] }[],
): HostedContainer[] {
  return parts
    .flatMap((p) => withHost(p.containers, p.host))
    .sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
}

/**
 * Every host's events, newest first by time (ids are per host and say nothing across
 * hosts), at most `limit`. Ties go by host, then newest id.
 */
export function mergeEvents(
  parts: readonly { host: string; events: readonly AuditEvent[] }[],
  limit: number,
): HostedEvent[] {
  return parts
    .flatMap((p) => withHost(p.events, p.host))
    .sort(
      (a, b) =>
        Date.parse(b.timestamp) - Date.parse(a.timestamp) || a.host.localeCompare(b.host) || b.id - a.id,
    )
    .slice(0, limit);
}
