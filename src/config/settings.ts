/**
 * The validated, frozen settings every other module receives. Nothing outside
 * `src/config/` reads `process.env`.
 */

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tls'; host: string; port: number; certPath: string };

/** One entry of `AUTOHEAL_PEERS`: a base URL, or Swarm's `tasks.<service>` name and a port. */
export type PeerSpec = { kind: 'url'; url: string } | { kind: 'dns'; name: string; port: number };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface Settings {
  /** `AUTOHEAL_CONTAINER_LABEL`: the enrolling label key, or `all`. */
  readonly containerLabel: string;
  readonly intervalS: number;
  readonly startPeriodS: number;
  readonly defaultStopTimeoutS: number;
  readonly onlyMonitorRunning: boolean;
  readonly docker: DockerEndpoint;
  /** `CURL_TIMEOUT`: seconds for one engine request. */
  readonly requestTimeoutS: number;
  readonly webhookUrl: string | null;
  readonly webhookJsonKey: string;
  readonly appriseUrl: string | null;
  readonly postRestartScript: string | null;
  /** Excluded entries from configuration (`AUTOHEAL_EXCLUDE`); the API cannot remove them. */
  readonly exclude: readonly string[];
  readonly concurrency: number;
  readonly backoffInitialS: number;
  readonly backoffMaxS: number;
  readonly backoffResetS: number;
  readonly maxRestarts: number;
  readonly restartWindowS: number;
  readonly gracePeriodS: number;
  readonly restartDependents: boolean;
  readonly apiHost: string;
  readonly apiPort: number;
  /** Secret: never logged, never served. */
  readonly apiToken: string | null;
  readonly apiTokenFile: string | null;
  readonly dataDir: string;
  readonly eventsMax: number;
  /** `AUTOHEAL_HOSTNAME`: this host's name in notifications and in the fleet view. */
  readonly hostname: string;
  /** `AUTOHEAL_PEERS`: the other autoheals the fleet view reads; empty without a fleet. */
  readonly peers: readonly PeerSpec[];
  /** Secret: the token sent to the peers (their read token). Never logged, never served. */
  readonly peerToken: string | null;
  readonly peerTokenFile: string | null;
  /** `AUTOHEAL_PUBLIC_URL`: where people reach this host's UI; the fleet view links to it. */
  readonly publicUrl: string | null;
  readonly logLevel: LogLevel;
}

/** The keys of `config/default.json`, of an `AUTOHEAL_CONFIG` file, and of the environment. */
export const SETTING_KEYS = [
  'AUTOHEAL_CONTAINER_LABEL',
  'AUTOHEAL_INTERVAL',
  'AUTOHEAL_START_PERIOD',
  'AUTOHEAL_DEFAULT_STOP_TIMEOUT',
  'AUTOHEAL_ONLY_MONITOR_RUNNING',
  'DOCKER_SOCK',
  'DOCKER_HOST',
  'DOCKER_CERT_PATH',
  'CURL_TIMEOUT',
  'WEBHOOK_URL',
  'WEBHOOK_JSON_KEY',
  'APPRISE_URL',
  'POST_RESTART_SCRIPT',
  'AUTOHEAL_EXCLUDE',
  'AUTOHEAL_CONCURRENCY',
  'AUTOHEAL_BACKOFF_INITIAL',
  'AUTOHEAL_BACKOFF_MAX',
  'AUTOHEAL_BACKOFF_RESET',
  'AUTOHEAL_MAX_RESTARTS',
  'AUTOHEAL_RESTART_WINDOW',
  'AUTOHEAL_GRACE_PERIOD',
  'AUTOHEAL_RESTART_DEPENDENTS',
  'AUTOHEAL_API_HOST',
  'AUTOHEAL_API_PORT',
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_TOKEN_FILE',
  'AUTOHEAL_DATA_DIR',
  'AUTOHEAL_EVENTS_MAX',
  'AUTOHEAL_HOSTNAME',
  'AUTOHEAL_PEERS',
  'AUTOHEAL_PEER_TOKEN',
  'AUTOHEAL_PEER_TOKEN_FILE',
  'AUTOHEAL_PUBLIC_URL',
  'LOG_LEVEL',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** Keys whose values are secrets: never shown by `GET /api/config`, never logged. */
export const SECRET_KEYS: ReadonlySet<SettingKey> = new Set(['AUTOHEAL_API_TOKEN', 'AUTOHEAL_PEER_TOKEN']);
