/**
 * The engine as the rest of autoheal sees it: a few typed calls and a stream of typed
 * container events. Only `src/engine/` knows that dockerode sits behind these.
 */

export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none';

/** Docker's `State.Status`: created, running, paused, restarting, removing, exited, dead. */
export type RunState = string;

/** One health probe as the engine recorded it (`State.Health.Log[]`). */
export interface ProbeResult {
  /** ISO times the probe started and ended. */
  start: string;
  end: string;
  exit_code: number;
  output: string;
}

/** What autoheal needs to know about one container, from a list or an inspect. */
export interface ContainerSnapshot {
  /** Full 64-hex id. */
  id: string;
  /** Name without the leading slash. */
  name: string;
  image: string;
  labels: Readonly<Record<string, string>>;
  state: RunState;
  health: HealthStatus;
  /** HostConfig.NetworkMode, e.g. `bridge` or `container:<id>` (a shared network namespace). */
  networkMode?: string;
  /** From an inspect only: `State.Health.FailingStreak` and `State.Health.Log` (oldest first). */
  probes?: { failingStreak: number; log: ProbeResult[] };
}

/**
 * Everything needed to create a copy of a container, read from its inspect: its name,
 * labels and state for the decisions, and the create request for the engine. Only
 * `src/engine/` looks inside `createBody`.
 */
export interface ContainerBlueprint {
  id: string;
  /** Name without the leading slash. */
  name: string;
  labels: Readonly<Record<string, string>>;
  state: RunState;
  /** HostConfig.NetworkMode as the engine stores it (`container:<full id>` for a shared namespace). */
  networkMode: string | null;
  /** The body of `POST /containers/create` that re-creates it (anonymous volumes included). */
  readonly createBody: Readonly<Record<string, unknown>>;
}

/**
 * The container actions autoheal subscribes to at the engine. `pause`, `unpause` and
 * `rename` only keep the container mirror true; the supervisor acts on the others.
 */
export const SUBSCRIBED_ACTIONS = [
  'start',
  'die',
  'oom',
  'destroy',
  'health_status',
  'pause',
  'unpause',
  'rename',
] as const;
export type ContainerAction = (typeof SUBSCRIBED_ACTIONS)[number];

/** One container event from the engine's stream, already parsed and validated. */
export interface ContainerEvent {
  action: ContainerAction;
  /** Set for `health_status` events (`health_status: unhealthy` → `unhealthy`). */
  health?: HealthStatus;
  id: string;
  /** Name without the leading slash. */
  name: string;
  /** The container's labels as the event's attributes carry them. */
  labels: Readonly<Record<string, string>>;
  /** Set for `die` events. */
  exitCode?: number;
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch, as a decimal string (exceeds Number's safe range). */
  timeNano: string;
}

/** Calls the supervisor makes against the engine. Every method rejects with an Error on failure. */
export interface Engine {
  /** Every container the engine has (running or not). */
  listContainers(): Promise<ContainerSnapshot[]>;
  /** One container, or null when the engine says it does not exist (404). */
  inspect(id: string): Promise<ContainerSnapshot | null>;
  /**
   * `POST /containers/{id}/restart?t=<stopTimeoutS>`; the HTTP timeout of this request is
   * the configured request timeout plus the stop timeout, so a long stop is never cut.
   */
  restart(id: string, stopTimeoutS: number): Promise<void>;
  /** `POST /containers/{id}/stop?t=<stopTimeoutS>`, with the same deadline rule as restart. */
  stop(id: string, stopTimeoutS: number): Promise<void>;
  /** `GET /_ping`. */
  ping(): Promise<void>;
  /**
   * The health probes as the engine has them now (always asked of the engine, never of a
   * cache); null when the container is gone or has no healthcheck. Optional: without it,
   * `inspect` is asked.
   */
  probes?(id: string): Promise<ContainerSnapshot['probes'] | null>;
  /** `GET /containers/{id}/json`, kept whole for a re-create; null when it does not exist (404). */
  blueprint(id: string): Promise<ContainerBlueprint | null>;
  /**
   * `POST /containers/create?name=<name>`: a new container from the blueprint, joined to the
   * network namespace `networkMode` (e.g. `container:<id>`). Resolves with the new id.
   */
  create(blueprint: ContainerBlueprint, name: string, networkMode: string): Promise<string>;
  /** `POST /containers/{id}/rename?name=<name>`. */
  rename(id: string, name: string): Promise<void>;
  /** `POST /containers/{id}/start`; one already running counts as started. */
  start(id: string): Promise<void>;
  /**
   * `DELETE /containers/{id}?force=true`: kills it if it runs; its anonymous volumes are
   * kept (`v=false`), so a copy can use them. One already gone counts as removed.
   */
  remove(id: string): Promise<void>;
}

export interface EngineConnectionStatus {
  connected: boolean;
  /** ISO time of the last event received, or null. */
  lastEventAt: string | null;
  /** How many times the stream was re-established after a loss. */
  reconnects: number;
  /** Lines of the stream that did not parse. */
  parseErrors: number;
  /** Replayed duplicates dropped after a reconnect. */
  duplicatesDropped: number;
  /** Events received, by action. */
  eventsByAction: Readonly<Record<string, number>>;
}

export interface EngineEventHandlers {
  /** A container event, in stream order, never twice. */
  onEvent(event: ContainerEvent): void;
  /** The stream is (re)established. `reconnect` is false on the very first connection. */
  onConnected(info: { reconnect: boolean }): void;
  /** The stream was lost (or could not be opened); it will be retried by itself. */
  onDisconnected(info: { error: string; retryInMs: number }): void;
}

/** The long-lived subscription: reconnects, resumes with `since`, dedupes, watches with `/_ping`. */
export interface EngineEventSource {
  start(handlers: EngineEventHandlers): void;
  stop(): Promise<void>;
  status(): EngineConnectionStatus;
}
