/**
 * Reads the configuration once: built-in defaults (`config/default.json`) < the JSON file
 * named by `AUTOHEAL_CONFIG` < environment variables. Every value is validated here; a bad
 * one becomes a ConfigError whose message is one line naming the variable and what it
 * accepts.
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { z } from 'zod';
import { bareName, ID_PREFIX_SOURCE } from '../shared/container-ref.js';
import { parsePeers } from './peers.js';
import {
  type DockerEndpoint,
  type LogLevel,
  SCRIPT_HIDDEN_VARIABLES,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
} from './settings.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Raw = Record<SettingKey, string | null>;

const DEFAULTS_FILE = new URL('../../config/default.json', import.meta.url);

/** `config/default.json`: `{ KEY: { default, doc } }`. */
const defaultsSchema = z.record(z.string(), z.object({ default: z.unknown(), doc: z.string() }));

/** Turns a JSON value of a config file (or of the defaults) into the string an env var would hold. */
function rawValue(key: string, value: unknown, source: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (key === 'AUTOHEAL_EXCLUDE' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value.join(',');
  }
  throw new ConfigError(`${key} in ${source} must be a string, number or boolean`);
}

function readDefaults(): Raw {
  const parsed = defaultsSchema.parse(JSON.parse(readFileSync(DEFAULTS_FILE, 'utf8')));
  const raw = {} as Raw;
  for (const key of SETTING_KEYS) {
    const entry = parsed[key];
    if (!entry) throw new Error(`config/default.json lacks ${key}`);
    raw[key] = rawValue(key, entry.default, 'config/default.json');
  }
  return raw;
}

function readConfigFile(path: string): Partial<Raw> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `AUTOHEAL_CONFIG: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`AUTOHEAL_CONFIG: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(
      `AUTOHEAL_CONFIG: ${path} must hold a JSON object of settings, e.g. {"AUTOHEAL_INTERVAL": 10}`,
    );
  }
  const out: Partial<Raw> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `AUTOHEAL_CONFIG: ${path} has an unknown setting ${key}; known: ${SETTING_KEYS.join(', ')}`,
      );
    }
    out[key as SettingKey] = rawValue(key, value, path);
  }
  return out;
}

/** Validators: each turns the raw string into a typed value or says what it accepts. */
const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `accepts a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `accepts a whole number from ${min} to ${max}`)
        .max(max, `accepts a whole number from ${min} to ${max}`),
    );

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'accepts true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'accepts an http:// or https:// URL');

const containerId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{12,64}$/, 'accepts a container id: 64 hex characters, or a prefix of at least 12');

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const logLevel = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (v): v is LogLevel => (LOG_LEVELS as readonly string[]).includes(v),
    `accepts one of ${LOG_LEVELS.join(', ')}`,
  )
  .transform((v) => v as LogLevel);

const labelKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'accepts a label key such as autoheal, or all');

const nonEmpty = z.string().trim().min(1, 'accepts a non-empty value');

/** An excluded entry: a name (with `*` wildcards) or 12 to 64 hex characters. */
export const LIST_ENTRY_PATTERN = new RegExp(`^(?:[a-zA-Z0-9*][a-zA-Z0-9_.*-]*|${ID_PREFIX_SOURCE})$`);
const MAX_LIST_ENTRIES = 1000;
const entryList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => bareName(s.trim()))
      .filter((s) => s.length > 0),
  )
  .refine((list) => list.length <= MAX_LIST_ENTRIES, `accepts at most ${MAX_LIST_ENTRIES} entries`)
  .refine(
    (list) => list.every((s) => s.length <= 255 && LIST_ENTRY_PATTERN.test(s)),
    'accepts comma-separated container names (letters, digits, _ . - and * wildcards) or ids of 12 to 64 hex characters',
  );

/** Settings whose value may carry a secret (a webhook's path is its password): never echoed. */
const UNECHOED: ReadonlySet<SettingKey> = new Set([
  'WEBHOOK_URL',
  'APPRISE_URL',
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_READ_TOKEN',
  'AUTOHEAL_PEER_TOKEN',
]);

/** A token a user sets: long enough not to be guessed, and nothing that could never match. */
export const MIN_TOKEN_LENGTH = 16;
const MAKE_TOKEN = 'make one with: openssl rand -hex 32';

function checkToken(key: SettingKey, token: string): string {
  if (/\s/.test(token)) {
    throw new ConfigError(
      `${key} (value not shown) is invalid: it contains whitespace, which a bearer token cannot carry; ${MAKE_TOKEN}`,
    );
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `${key} (value not shown) is too short: it needs at least ${MIN_TOKEN_LENGTH} characters; ${MAKE_TOKEN}`,
    );
  }
  return token;
}

/** `AUTOHEAL_API_READ_AUTH`: empty means automatic (null). */
const triState = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (v) => ['', 'auto', 'true', 'false', '1', '0', 'yes', 'no'].includes(v),
    'accepts true, false or auto',
  )
  .transform((v) => (v === '' || v === 'auto' ? null : v === 'true' || v === '1' || v === 'yes'));

const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
  )
  .refine(
    (list) => list.every((h) => h === '*' || /^[a-z0-9_]([a-z0-9_.-]{0,252})$/.test(h)),
    'accepts comma-separated host names (e.g. autoheal.example.com,autoheal) or *',
  );

function check<T>(key: SettingKey, schema: z.ZodType<T, string>, value: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const shown = UNECHOED.has(key) ? `${key} (value not shown)` : `${key}=${JSON.stringify(value)}`;
  throw new ConfigError(`${shown} is invalid: it ${issue?.message ?? 'has the wrong form'}`);
}

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
