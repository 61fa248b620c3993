/**
 * Reads the configuration once: built-in defaults (`config/default.json`) < the JSON file
 * named by `AUTOHEAL_CONFIG` < environment variables. Every value is validated here; a bad
 * one becomes a ConfigError whose message is one line naming the variable and what it
 * accepts.
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { parsePeers } from './peers.js';
import {
  type DockerEndpoint,
  SCRIPT_HIDDEN_VARIABLES,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
} from './settings.js';
import { type Raw, readConfigFile, readDefaults } from './sources.js';
import {
  boolean,
  ConfigError,
  check,
  checkToken,
  containerId,
  entryList,
  hostList,
  httpUrl,
  integer,
  labelKey,
  logLevel,
  nonEmpty,
  triState,
} from './validators.js';

export { ConfigError } from './validators.js';

function required(raw: Raw, key: SettingKey): string {
  const v = raw[key];
  if (v === null || v.trim() === '') throw new ConfigError(`${key} must not be empty`);
  return v;
}

function optional(raw: Raw, key: SettingKey): string | null {
  const v = raw[key];
  return v === null || v.trim() === '' ? null : v.trim();
}

/** `DOCKER_SOCK` wins over `DOCKER_HOST` (which docker-modem would otherwise let win). */
export function parseDockerEndpoint(
  sock: string | null,
  dockerHost: string | null,
  certPath: string,
  tlsVerify: boolean,
): DockerEndpoint {
  const key = sock !== null ? 'DOCKER_SOCK' : dockerHost !== null ? 'DOCKER_HOST' : 'DOCKER_SOCK';
  const value = sock ?? dockerHost ?? '/var/run/docker.sock';
  const accepts = 'accepts a unix socket path, unix:///path, tcp://host:port or tcps://host:port';
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${key}=${JSON.stringify(value)} is invalid: it ${accepts}`);
  }
  if (url.protocol === 'unix:') {
    if (!url.pathname.startsWith('/'))
      throw new ConfigError(`${key}=${JSON.stringify(value)} is invalid: it ${accepts}`);
    return { kind: 'unix', socketPath: url.pathname };
  }
  const tls =
    url.protocol === 'tcps:' ||
    url.protocol === 'https:' ||
    (url.protocol === 'tcp:' && key === 'DOCKER_HOST' && tlsVerify);
  if (!['tcp:', 'tcps:', 'http:', 'https:'].includes(url.protocol) || url.hostname === '') {
    throw new ConfigError(`${key}=${JSON.stringify(value)} is invalid: it ${accepts}`);
  }
  const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return tls ? { kind: 'tls', host, port, certPath } : { kind: 'tcp', host, port };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads the token file; injectable for tests. */
  readFile?: (path: string) => string;
}

/** Builds the settings, or throws a ConfigError with a one-line message. */
export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const raw = readDefaults();
  const configPath = env.AUTOHEAL_CONFIG?.trim();
  if (configPath) Object.assign(raw, readConfigFile(configPath));
  for (const key of SETTING_KEYS) {
    const v = env[key];
    if (v !== undefined) raw[key] = v;
  }

  const containerLabel = check(
    'AUTOHEAL_CONTAINER_LABEL',
    labelKey,
    required(raw, 'AUTOHEAL_CONTAINER_LABEL'),
  );
  const int = (key: SettingKey, min: number, max: number) =>
    check(key, integer(min, max), required(raw, key));
  const bool = (key: SettingKey) => check(key, boolean, required(raw, key));

  const backoffInitialS = int('AUTOHEAL_BACKOFF_INITIAL', 0, 86_400);
  const backoffMaxS = int('AUTOHEAL_BACKOFF_MAX', 0, 86_400);
  if (backoffMaxS < backoffInitialS) {
    throw new ConfigError(
      `AUTOHEAL_BACKOFF_MAX=${backoffMaxS} is invalid: it must be at least AUTOHEAL_BACKOFF_INITIAL (${backoffInitialS})`,
    );
  }
  const certPath = required(raw, 'DOCKER_CERT_PATH');
  const tlsVerify = ['1', 'true'].includes((env.DOCKER_TLS_VERIFY ?? '').trim().toLowerCase());

  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  /** A secret from `<key>` or, when that is unset, from the file `<key>_FILE` names. */
  const secret = (key: SettingKey, fileKey: SettingKey): { value: string | null; file: string | null } => {
    const file = optional(raw, fileKey);
    const direct = optional(raw, key);
    if (direct !== null || file === null) return { value: direct, file };
    let text: string;
    try {
      text = read(file).trim();
    } catch (err) {
      throw new ConfigError(
        `${fileKey}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
    if (text === '') throw new ConfigError(`${fileKey}: ${file} is empty`);
    return { value: text, file };
  };
  const changeToken = secret('AUTOHEAL_API_TOKEN', 'AUTOHEAL_API_TOKEN_FILE');
  const apiToken = changeToken.value === null ? null : checkToken('AUTOHEAL_API_TOKEN', changeToken.value);
  const readToken = secret('AUTOHEAL_API_READ_TOKEN', 'AUTOHEAL_API_READ_TOKEN_FILE');
  const apiReadToken =
    readToken.value === null ? null : checkToken('AUTOHEAL_API_READ_TOKEN', readToken.value);
  if (apiReadToken !== null && apiReadToken === apiToken) {
    throw new ConfigError(
      'AUTOHEAL_API_READ_TOKEN is invalid: it must differ from AUTOHEAL_API_TOKEN (the read token cannot make changes)',
    );
  }
  const publicUrl = optional(raw, 'AUTOHEAL_PUBLIC_URL');
  const peerSecret = secret('AUTOHEAL_PEER_TOKEN', 'AUTOHEAL_PEER_TOKEN_FILE');
  const peerToken = peerSecret.value === null ? null : checkToken('AUTOHEAL_PEER_TOKEN', peerSecret.value);
  let peers: Settings['peers'] = [];
  const peersRaw = optional(raw, 'AUTOHEAL_PEERS');
  if (peersRaw !== null) {
    try {
      peers = Object.freeze(parsePeers(peersRaw).map((p) => Object.freeze(p)));
    } catch (err) {
      throw new ConfigError(`AUTOHEAL_PEERS is invalid: ${(err as Error).message}`);
    }
  }
  const secretUrl = (key: SettingKey, fileKey: SettingKey) => {
    const { value, file } = secret(key, fileKey);
    return { url: value === null ? null : check(key, httpUrl, value), file };
  };
  const webhook = secretUrl('WEBHOOK_URL', 'WEBHOOK_URL_FILE');
  const apprise = secretUrl('APPRISE_URL', 'APPRISE_URL_FILE');

  const selfIdRaw = optional(raw, 'AUTOHEAL_SELF_ID');
  const selfId = selfIdRaw === null ? null : check('AUTOHEAL_SELF_ID', containerId, selfIdRaw);

  const settings: Settings = {
    containerLabel,
    intervalS: int('AUTOHEAL_INTERVAL', 1, 86_400),
    startPeriodS: int('AUTOHEAL_START_PERIOD', 0, 86_400),
    defaultStopTimeoutS: int('AUTOHEAL_DEFAULT_STOP_TIMEOUT', 0, 86_400),
    onlyMonitorRunning: bool('AUTOHEAL_ONLY_MONITOR_RUNNING'),
    docker: parseDockerEndpoint(
      optional(raw, 'DOCKER_SOCK'),
      optional(raw, 'DOCKER_HOST'),
      certPath,
      tlsVerify,
    ),
    requestTimeoutS: int('CURL_TIMEOUT', 1, 3600),
    webhookUrl: webhook.url,
    webhookUrlFile: webhook.file,
    webhookJsonKey: check('WEBHOOK_JSON_KEY', nonEmpty, required(raw, 'WEBHOOK_JSON_KEY')),
    appriseUrl: apprise.url,
    appriseUrlFile: apprise.file,
    postRestartScript: optional(raw, 'POST_RESTART_SCRIPT'),
    exclude: Object.freeze(check('AUTOHEAL_EXCLUDE', entryList, raw.AUTOHEAL_EXCLUDE ?? '')),
    concurrency: int('AUTOHEAL_CONCURRENCY', 1, 256),
    backoffInitialS,
    backoffMaxS,
    backoffResetS: int('AUTOHEAL_BACKOFF_RESET', 0, 86_400 * 7),
    maxRestarts: int('AUTOHEAL_MAX_RESTARTS', 1, 100_000),
    restartWindowS: int('AUTOHEAL_RESTART_WINDOW', 1, 86_400 * 30),
    gracePeriodS: int('AUTOHEAL_GRACE_PERIOD', 0, 86_400),
    notifyStartup: bool('AUTOHEAL_NOTIFY_STARTUP'),
    engineNoticeAfterS: int('AUTOHEAL_ENGINE_NOTICE_AFTER', 5, 86_400),
    restartDependents: bool('AUTOHEAL_RESTART_DEPENDENTS'),
    recreateDependents: bool('AUTOHEAL_RECREATE_DEPENDENTS'),
    apiHost: check('AUTOHEAL_API_HOST', nonEmpty, required(raw, 'AUTOHEAL_API_HOST')),
    apiPort: int('AUTOHEAL_API_PORT', 0, 65_535),
    apiToken,
    apiTokenFile: changeToken.file,
    apiReadToken,
    apiReadTokenFile: readToken.file,
    apiReadAuth: check('AUTOHEAL_API_READ_AUTH', triState, raw.AUTOHEAL_API_READ_AUTH ?? ''),
    allowedHosts: Object.freeze(
      check('AUTOHEAL_API_ALLOWED_HOSTS', hostList, raw.AUTOHEAL_API_ALLOWED_HOSTS ?? ''),
    ),
    scriptEnv: Object.freeze(scriptEnvironment(env)),
    dataDir: required(raw, 'AUTOHEAL_DATA_DIR'),
    eventsMax: int('AUTOHEAL_EVENTS_MAX', 10, 1_000_000),
    hostname: optional(raw, 'AUTOHEAL_HOSTNAME') ?? osHostname(),
    peers,
    peerToken,
    peerTokenFile: peerSecret.file,
    publicUrl: publicUrl === null ? null : check('AUTOHEAL_PUBLIC_URL', httpUrl, publicUrl),
    selfId,
    logLevel: check('LOG_LEVEL', logLevel, required(raw, 'LOG_LEVEL')),
  };
  return Object.freeze(settings);
}

/** autoheal's environment without its own secrets, for the post-restart script. */
function scriptEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !SCRIPT_HIDDEN_VARIABLES.includes(key)) out[key] = value;
  }
  return out;
}
