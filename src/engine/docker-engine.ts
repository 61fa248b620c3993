/**
 * The `Engine` calls the supervisor makes (list, inspect, restart, ping, and the create,
 * rename, start and remove of a re-create), over dockerode. It owns the translation of the
 * engine's loose JSON into `ContainerSnapshot`s and the deadline of each call (a restart's
 * deadline includes its stop timeout).
 */
import type { DockerEndpoint } from '../config/settings.js';
import type { Logger } from '../log.js';
import type { Counter, MetricsRegistry } from '../metrics.js';
import { bareName, shortId } from '../shared/container-ref.js';
import { isRecord } from '../shared/json.js';
import { blueprintFromInspect, createBodyFor } from './blueprint.js';
import { EngineClient, EngineError } from './connection.js';
import { parseHealth } from './events.js';
import type { ContainerBlueprint, ContainerSnapshot, Engine, HealthStatus, ProbeResult } from './types.js';

export interface DockerEngineOptions {
  endpoint: DockerEndpoint;
  /** `CURL_TIMEOUT`: deadline in seconds of one request; a restart gets its stop timeout on top. */
  requestTimeoutS: number;
  logger?: Logger;
  /** Counts every request by call (`autoheal_engine_requests_total`). */
  metrics?: MetricsRegistry;
}

/** The engine calls autoheal makes, as the `call` label of `autoheal_engine_requests_total`. */
export const ENGINE_CALLS = [
  'list',
  'inspect',
  'restart',
  'stop',
  'ping',
  'create',
  'rename',
  'start',
  'remove',
] as const;
type EngineCall = (typeof ENGINE_CALLS)[number];

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `docker ps`' status text: `Up 3 minutes (unhealthy)`, `Up 5 seconds (health: starting)`. */
export function healthFromStatusText(status: string): HealthStatus {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!match) return 'none';
  return match[1] === 'health: starting' ? 'starting' : match[1] === 'healthy' ? 'healthy' : 'unhealthy';
}

/** One entry of `GET /containers/json`, or null when it lacks what a snapshot needs. */
export function snapshotFromListEntry(entry: unknown): ContainerSnapshot | null {
  if (!isRecord(entry)) return null;
  const id = str(entry.Id);
  const state = str(entry.State);
  if (id === null || state === null) return null;
  // `Names` also lists link aliases (`/other/alias`); the container's own name has one slash.
  const names = Array.isArray(entry.Names)
    ? entry.Names.filter((n): n is string => typeof n === 'string')
    : [];
  const own = names.find((n) => !bareName(n).includes('/')) ?? names[0];
  // API 1.52+ reports `Health` in the list; older engines only in the status text.
  const listHealth = isRecord(entry.Health) ? parseHealth(entry.Health.Status) : null;
  return {
    id,
    name: own !== undefined ? bareName(own) : shortId(id),
    image: str(entry.Image) ?? '',
    labels: stringRecord(entry.Labels),
    state,
    health: listHealth ?? healthFromStatusText(str(entry.Status) ?? ''),
    ...(isRecord(entry.HostConfig) && typeof entry.HostConfig.NetworkMode === 'string'
      ? { networkMode: entry.HostConfig.NetworkMode }
      : {}),
  };
}

/** `State.Health`'s failing streak and probe log; malformed entries are left out. */
function probesFromHealth(health: Record<string, unknown>): { failingStreak: number; log: ProbeResult[] } {
  const streak = typeof health.FailingStreak === 'number' ? health.FailingStreak : 0;
  const entries = Array.isArray(health.Log) ? health.Log : [];
  const log: ProbeResult[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    log.push({
      start: str(entry.Start) ?? '',
      end: str(entry.End) ?? '',
      exit_code: typeof entry.ExitCode === 'number' ? entry.ExitCode : -1,
      output: str(entry.Output) ?? '',
    });
  }
  return { failingStreak: streak, log };
}

/** `GET /containers/{id}/json`, or null when it lacks what a snapshot needs. */
export function snapshotFromInspect(info: unknown): ContainerSnapshot | null {
  if (!isRecord(info)) return null;
  const id = str(info.Id);
  const state = isRecord(info.State) ? info.State : null;
  const status = state ? str(state.Status) : null;
  if (id === null || status === null || state === null) return null;
  const config = isRecord(info.Config) ? info.Config : {};
  const hostConfig = isRecord(info.HostConfig) ? info.HostConfig : {};
  const health = isRecord(state.Health) ? (parseHealth(state.Health.Status) ?? 'none') : 'none';
  const name = str(info.Name);
  const snapshot: ContainerSnapshot = {
    id,
    name: name ? bareName(name) : shortId(id),
    image: str(config.Image) ?? str(info.Image) ?? '',
    labels: stringRecord(config.Labels),
    state: status,
    health,
  };
  const networkMode = str(hostConfig.NetworkMode);
  if (networkMode !== null) snapshot.networkMode = networkMode;
  if (isRecord(state.Health)) snapshot.probes = probesFromHealth(state.Health);
  return snapshot;
}

export class DockerEngine implements Engine {
  private readonly client: EngineClient;
  private readonly requestTimeoutMs: number;
  private readonly requests: Counter | undefined;

  constructor(private readonly options: DockerEngineOptions) {
    this.client = new EngineClient(options.endpoint);
    this.requestTimeoutMs = options.requestTimeoutS * 1000;
    this.requests = options.metrics?.counter(
      'autoheal_engine_requests_total',
      'Requests made to the Docker engine API (besides the event stream), by call',
      ['call'],
    );
    // Every call is exported from the start, so a rate over the first minutes is right.
    for (const call of ENGINE_CALLS) this.requests?.inc({ call }, 0);
  }

  private count(call: EngineCall): void {
    this.requests?.inc({ call });
  }

  async listContainers(): Promise<ContainerSnapshot[]> {
    this.count('list');
    const body = await this.client.request({
      method: 'GET',
      path: '/containers/json',
      query: { all: true },
      ok: [200],
      timeoutMs: this.requestTimeoutMs,
    });
    if (!Array.isArray(body))
      throw new EngineError('GET /containers/json: the engine did not answer with a list', undefined);
    const out: ContainerSnapshot[] = [];
    for (const entry of body) {
      const snapshot = snapshotFromListEntry(entry);
      if (snapshot) out.push(snapshot);
      else this.options.logger?.warn({ entry }, 'skipped a container list entry without an id or state');
    }
    return out;
  }

  /** The raw inspect answer, or null on a 404. */
  private async inspectJson(id: string): Promise<unknown> {
    this.count('inspect');
    try {
      return await this.client.request({
        method: 'GET',
        path: `/containers/${encodeURIComponent(id)}/json`,
        ok: [200],
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof EngineError && err.statusCode === 404) return null;
      throw err;
    }
  }

  async probes(id: string): Promise<ContainerSnapshot['probes'] | null> {
    return (await this.inspect(id))?.probes ?? null;
  }

  async inspect(id: string): Promise<ContainerSnapshot | null> {
    const body = await this.inspectJson(id);
    if (body === null) return null;
    const snapshot = snapshotFromInspect(body);
    if (!snapshot)
      throw new EngineError(`GET /containers/${id}/json: the engine's answer has no id or state`, undefined);
    return snapshot;
  }

  async restart(id: string, stopTimeoutS: number): Promise<void> {
    await this.stopOrRestart('restart', id, stopTimeoutS);
  }

  async stop(id: string, stopTimeoutS: number): Promise<void> {
    // 304: already stopped, which is what was asked for.
    await this.stopOrRestart('stop', id, stopTimeoutS, [204, 304]);
  }

  private async stopOrRestart(
    action: 'restart' | 'stop',
    id: string,
    stopTimeoutS: number,
    ok: number[] = [200, 204],
  ): Promise<void> {
    // The engine answers only after the stop (up to `t` seconds); a deadline shorter than
    // `t` would report a failure for a restart that is still under way.
    const t = Math.max(0, Math.ceil(stopTimeoutS));
    this.count(action);
    await this.client.request({
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/${action}`,
      query: { t },
      ok,
      timeoutMs: this.requestTimeoutMs + t * 1000,
    });
  }

  async blueprint(id: string): Promise<ContainerBlueprint | null> {
    const body = await this.inspectJson(id);
    if (body === null) return null;
    const blueprint = blueprintFromInspect(body);
    if (!blueprint)
      throw new EngineError(
        `GET /containers/${id}/json: the engine's answer lacks an id, name or configuration`,
        undefined,
      );
    return blueprint;
  }

  async create(blueprint: ContainerBlueprint, name: string, networkMode: string): Promise<string> {
    this.count('create');
    const body = await this.client.request({
      method: 'POST',
      path: '/containers/create',
      query: { name },
      body: createBodyFor(blueprint, networkMode),
      ok: [201],
      timeoutMs: this.requestTimeoutMs,
    });
    const id = typeof body === 'object' && body !== null && 'Id' in body ? body.Id : null;
    if (typeof id !== 'string')
      throw new EngineError('POST /containers/create: the engine answered without an id', undefined);
    return id;
  }

  async rename(id: string, name: string): Promise<void> {
    this.count('rename');
    await this.client.request({
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/rename`,
      query: { name },
      ok: [204],
      timeoutMs: this.requestTimeoutMs,
    });
  }

  async start(id: string): Promise<void> {
    this.count('start');
    // 304: already running.
    await this.client.request({
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/start`,
      ok: [204, 304],
      timeoutMs: this.requestTimeoutMs,
    });
  }

  async remove(id: string): Promise<void> {
    this.count('remove');
    try {
      await this.client.request({
        method: 'DELETE',
        path: `/containers/${encodeURIComponent(id)}`,
        query: { force: true, v: false },
        ok: [204],
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof EngineError && err.statusCode === 404) return;
      throw err;
    }
  }

  async ping(): Promise<void> {
    this.count('ping');
    await this.client.request({ method: 'GET', path: '/_ping', ok: [200], timeoutMs: this.requestTimeoutMs });
  }
}
