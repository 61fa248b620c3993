/**
 * Turns a container's inspect into the create request of a copy of it (same config,
 * labels, env, mounts, restart policy), and that request into one joined to another
 * network namespace. Pure: the engine adapter does the calls.
 */
import type { ContainerBlueprint } from './types.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Where a `Binds` entry (`src:dst[:opts]`) is mounted in the container. */
function bindDestination(bind: string): string | null {
  const parts = bind.split(':');
  return parts.length >= 2 ? (parts[1] ?? null) : null;
}

/**
 * Volumes the container uses that its HostConfig does not name: anonymous ones (an image's
 * `VOLUME`, `-v /path`). A copy must be given them by name, or it would start empty ones.
 */
export function anonymousVolumeBinds(info: Json, hostConfig: Json): string[] {
  const named = new Set<string>();
  for (const bind of strings(hostConfig.Binds)) {
    const dst = bindDestination(bind);
    if (dst !== null) named.add(dst);
  }
  if (Array.isArray(hostConfig.Mounts)) {
    for (const m of hostConfig.Mounts) if (isRecord(m) && typeof m.Target === 'string') named.add(m.Target);
  }
  const binds: string[] = [];
  if (!Array.isArray(info.Mounts)) return binds;
  for (const m of info.Mounts) {
    if (!isRecord(m) || m.Type !== 'volume') continue;
    if (typeof m.Name !== 'string' || typeof m.Destination !== 'string') continue;
    if (named.has(m.Destination)) continue;
    binds.push(`${m.Name}:${m.Destination}${m.RW === false ? ':ro' : ''}`);
  }
  return binds;
}

/**
 * `--mount type=volume,target=/x` without a source is an anonymous volume too: the copy's
 * mount gets the name of the volume the old container has there.
 */
function mountsWithVolumeNames(info: Json, hostConfig: Json): unknown {
  if (!Array.isArray(hostConfig.Mounts)) return hostConfig.Mounts;
  const used = Array.isArray(info.Mounts) ? info.Mounts.filter(isRecord) : [];
  return hostConfig.Mounts.map((m: unknown) => {
    if (!isRecord(m) || m.Type !== 'volume' || (typeof m.Source === 'string' && m.Source !== '')) return m;
    const name = used.find((u) => u.Type === 'volume' && u.Destination === m.Target)?.Name;
    return typeof name === 'string' ? { ...m, Source: name } : m;
  });
}

/** `GET /containers/{id}/json` as a blueprint; null when it lacks an id, a name or a config. */
export function blueprintFromInspect(info: unknown): ContainerBlueprint | null {
  if (!isRecord(info)) return null;
  const { Id: id, Name: name, Config: config, HostConfig: hostConfig, State: state } = info;
  if (typeof id !== 'string' || typeof name !== 'string') return null;
  if (!isRecord(config) || !isRecord(hostConfig) || !isRecord(state)) return null;
  const labels: Record<string, string> = {};
  if (isRecord(config.Labels)) {
    for (const [k, v] of Object.entries(config.Labels)) if (typeof v === 'string') labels[k] = v;
  }
  const binds = [...strings(hostConfig.Binds), ...anonymousVolumeBinds(info, hostConfig)];
  return {
    id,
    name: name.replace(/^\/+/, ''),
    labels,
    state: typeof state.Status === 'string' ? state.Status : 'unknown',
    networkMode: typeof hostConfig.NetworkMode === 'string' ? hostConfig.NetworkMode : null,
    createBody: {
      ...config,
      HostConfig: { ...hostConfig, Binds: binds, Mounts: mountsWithVolumeNames(info, hostConfig) },
    },
  };
}

/**
 * The create request of the copy, in the network namespace `networkMode`. Joined to another
 * container's namespace, the engine refuses a hostname, a MAC address or exposed ports of
 * its own; an inspect reports the parent's hostname and the image's ports there, so they go.
 */
export function createBodyFor(blueprint: ContainerBlueprint, networkMode: string): Json {
  const body: Json = { ...blueprint.createBody };
  const hostConfig = isRecord(body.HostConfig) ? body.HostConfig : {};
  body.HostConfig = { ...hostConfig, NetworkMode: networkMode };
  if (networkMode.startsWith('container:')) {
    for (const key of ['Hostname', 'Domainname', 'MacAddress', 'ExposedPorts']) delete body[key];
  }
  return body;
}
