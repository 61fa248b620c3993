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
  /** Secret (its path or user-info often is a password): never logged in full. */
  readonly webhookUrl: string | null;
  readonly webhookUrlFile: string | null;
  readonly webhookJsonKey: string;
  readonly appriseUrl: string | null;
  readonly appriseUrlFile: string | null;
  /** `AUTOHEAL_NOTIFY_STARTUP`: send one message when autoheal starts. */
  readonly notifyStartup: boolean;
  /** `AUTOHEAL_ENGINE_NOTICE_AFTER`: how long the engine may be out of reach before a notice (s). */
  readonly engineNoticeAfterS: number;
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
  readonly recreateDependents: boolean;
  readonly apiHost: string;
  readonly apiPort: number;
  /** Secret: never logged, never served. */
  readonly apiToken: string | null;
  readonly apiTokenFile: string | null;
  /** `AUTOHEAL_API_READ_TOKEN`: accepted for reads only. Secret: never logged, never served. */
  readonly apiReadToken: string | null;
  readonly apiReadTokenFile: string | null;
  /** `AUTOHEAL_API_READ_AUTH`: null means "decided by the bind address" (see `readsNeedToken`). */
  readonly apiReadAuth: boolean | null;
  /** `AUTOHEAL_API_ALLOWED_HOSTS`, lower-cased; `*` allows any Host. */
  readonly allowedHosts: readonly string[];
  /** The post-restart script's environment: autoheal's own minus its secrets. */
  readonly scriptEnv: Readonly<Record<string, string>>;
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
  /** `AUTOHEAL_SELF_ID`: autoheal's own container id (or a prefix of 12+), set by hand; null: detected. */
  readonly selfId: string | null;
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
  'WEBHOOK_URL_FILE',
  'WEBHOOK_JSON_KEY',
  'APPRISE_URL',
  'APPRISE_URL_FILE',
  'AUTOHEAL_NOTIFY_STARTUP',
  'AUTOHEAL_ENGINE_NOTICE_AFTER',
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
  'AUTOHEAL_RECREATE_DEPENDENTS',
  'AUTOHEAL_API_HOST',
  'AUTOHEAL_API_PORT',
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_TOKEN_FILE',
  'AUTOHEAL_API_READ_TOKEN',
  'AUTOHEAL_API_READ_TOKEN_FILE',
  'AUTOHEAL_API_READ_AUTH',
  'AUTOHEAL_API_ALLOWED_HOSTS',
  'AUTOHEAL_DATA_DIR',
  'AUTOHEAL_EVENTS_MAX',
  'AUTOHEAL_HOSTNAME',
  'AUTOHEAL_PEERS',
  'AUTOHEAL_PEER_TOKEN',
  'AUTOHEAL_PEER_TOKEN_FILE',
  'AUTOHEAL_PUBLIC_URL',
  'AUTOHEAL_SELF_ID',
  'LOG_LEVEL',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** Keys whose values are secrets: never shown by `GET /api/config`, never logged. */
export const SECRET_KEYS: ReadonlySet<SettingKey> = new Set([
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_READ_TOKEN',
  'AUTOHEAL_PEER_TOKEN',
]);

/**
 * The variables a post-restart script never inherits: autoheal's own secrets and the files
 * holding them. Everything else of autoheal's environment is passed on.
 */
export const SCRIPT_HIDDEN_VARIABLES: readonly string[] = [
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_TOKEN_FILE',
  'AUTOHEAL_API_READ_TOKEN',
  'AUTOHEAL_API_READ_TOKEN_FILE',
  'AUTOHEAL_PEER_TOKEN',
  'AUTOHEAL_PEER_TOKEN_FILE',
  'WEBHOOK_URL',
  'WEBHOOK_URL_FILE',
  'APPRISE_URL',
  'APPRISE_URL_FILE',
];

/** The loopback names every Host check accepts. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', 'localhost.localdomain', 'ip6-localhost'];

/** True when `host` (an address or name from AUTOHEAL_API_HOST) only listens on this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || LOOPBACK_NAMES.includes(h);
}

/** Reads need a token unless `AUTOHEAL_API_READ_AUTH` says otherwise or the API listens on loopback only. */
export function readsNeedToken(settings: Pick<Settings, 'apiReadAuth' | 'apiHost'>): boolean {
  return settings.apiReadAuth ?? !isLoopbackHost(settings.apiHost);
}
