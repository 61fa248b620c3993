/**
 * `/api/config`: the effective settings (no secrets) and the two API-managed lists,
 * `excluded` and `selected`, with GET/PUT/POST/DELETE. Every change goes through the
 * supervisor, which records a `config_change` event and persists the list.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { readsNeedToken, SECRET_KEYS, type SettingKey, type Settings } from '../config/settings.js';
import type { ListName } from '../store/types.js';
import type { ListChange } from '../supervisor/types.js';
import { ApiError, quote } from './errors.js';
import { addEntryBodySchema, LIST_NAMES, listEntrySchema, replaceListBodySchema } from './schemas.js';
import type { ApiDeps } from './types.js';
import { readJsonBody, readParam } from './validate.js';

type SettingValue = string | number | boolean | null | string[];

/**
 * A webhook URL often is a credential (Slack's path is the secret), and reads need no
 * token: show where it points, not the whole of it.
 */
function maskUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const u = new URL(url);
    const hidden =
      u.username !== '' || u.password !== '' || u.pathname.length > 1 || u.search !== '' || u.hash !== '';
    return hidden ? `${u.protocol}//${u.host}/***` : `${u.protocol}//${u.host}/`;
  } catch {
    return '***';
  }
}

function dockerEndpoint(settings: Settings): string {
  const d = settings.docker;
  if (d.kind === 'unix') return d.socketPath;
  return `${d.kind === 'tls' ? 'tcps' : 'tcp'}://${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`;
}

/** Every setting by its variable name; the Record type makes the compiler ask for new keys. */
export function effectiveSettings(settings: Settings): Partial<Record<SettingKey, SettingValue>> {
  const all: Record<SettingKey, SettingValue> = {
    AUTOHEAL_CONTAINER_LABEL: settings.containerLabel,
    AUTOHEAL_INTERVAL: settings.intervalS,
    AUTOHEAL_START_PERIOD: settings.startPeriodS,
    AUTOHEAL_DEFAULT_STOP_TIMEOUT: settings.defaultStopTimeoutS,
    AUTOHEAL_ONLY_MONITOR_RUNNING: settings.onlyMonitorRunning,
    // Settings keep the endpoint, not which of DOCKER_SOCK / DOCKER_HOST named it.
    DOCKER_SOCK: dockerEndpoint(settings),
    DOCKER_HOST: null,
    DOCKER_CERT_PATH: settings.docker.kind === 'tls' ? settings.docker.certPath : null,
    CURL_TIMEOUT: settings.requestTimeoutS,
    WEBHOOK_URL: maskUrl(settings.webhookUrl),
    WEBHOOK_URL_FILE: settings.webhookUrlFile,
    WEBHOOK_JSON_KEY: settings.webhookJsonKey,
    APPRISE_URL: maskUrl(settings.appriseUrl),
    APPRISE_URL_FILE: settings.appriseUrlFile,
    POST_RESTART_SCRIPT: settings.postRestartScript,
    AUTOHEAL_EXCLUDE: [...settings.exclude],
    AUTOHEAL_CONCURRENCY: settings.concurrency,
    AUTOHEAL_BACKOFF_INITIAL: settings.backoffInitialS,
    AUTOHEAL_BACKOFF_MAX: settings.backoffMaxS,
    AUTOHEAL_BACKOFF_RESET: settings.backoffResetS,
    AUTOHEAL_MAX_RESTARTS: settings.maxRestarts,
    AUTOHEAL_RESTART_WINDOW: settings.restartWindowS,
    AUTOHEAL_GRACE_PERIOD: settings.gracePeriodS,
    AUTOHEAL_RESTART_DEPENDENTS: settings.restartDependents,
    AUTOHEAL_RECREATE_DEPENDENTS: settings.recreateDependents,
    AUTOHEAL_API_HOST: settings.apiHost,
    AUTOHEAL_API_PORT: settings.apiPort,
    AUTOHEAL_API_TOKEN: null,
    AUTOHEAL_API_TOKEN_FILE: settings.apiTokenFile,
    AUTOHEAL_API_READ_TOKEN: null,
    AUTOHEAL_API_READ_TOKEN_FILE: settings.apiReadTokenFile,
    AUTOHEAL_API_READ_AUTH: readsNeedToken(settings),
    AUTOHEAL_API_ALLOWED_HOSTS: [...settings.allowedHosts],
    AUTOHEAL_DATA_DIR: settings.dataDir,
    AUTOHEAL_EVENTS_MAX: settings.eventsMax,
    AUTOHEAL_HOSTNAME: settings.hostname,
    AUTOHEAL_SELF_ID: settings.selfId,
    LOG_LEVEL: settings.logLevel,
  };
  return Object.fromEntries(Object.entries(all).filter(([key]) => !SECRET_KEYS.has(key as SettingKey)));
}

function dedupe(entries: readonly string[]): string[] {
  return [...new Set(entries)];
}

export function registerConfigRoutes(
  app: Hono,
  deps: ApiDeps,
  auth: MiddlewareHandler,
  body: MiddlewareHandler,
): void {
  const { supervisor, store, settings } = deps;

  const listView = (list: ListName): Record<string, string[]> =>
    list === 'excluded'
      ? { excluded: supervisor.effectiveExcluded(), excluded_by_config: [...settings.exclude] }
      : { selected: store.getList('selected') };

  const applied = (c: Context, list: ListName, change: ListChange, entry: string | null, created = false) => {
    if (!change.ok) {
      if (change.reason === 'from_config') {
        throw new ApiError(
          409,
          `${quote(entry ?? '')} comes from configuration (AUTOHEAL_EXCLUDE) and cannot be removed through the API`,
        );
      }
      throw new ApiError(404, `${quote(entry ?? '')} is not in the ${list} list`);
    }
    if (change.changed) deps.logger.info({ list, entry }, `${list} list changed through the API`);
    return c.json(listView(list), created && change.changed ? 201 : 200);
  };

  app.get('/api/config', (c) =>
    c.json({
      settings: effectiveSettings(settings),
      containers: {
        selected: store.getList('selected'),
        excluded: supervisor.effectiveExcluded(),
        excluded_by_config: [...settings.exclude],
      },
    }),
  );

  for (const list of LIST_NAMES) {
    const path = `/api/config/${list}`;
    const replaceSchema = replaceListBodySchema(list);

    app.get(path, (c) => c.json(listView(list)));

    app.put(path, auth, body, async (c) => {
      const parsed = await readJsonBody(c, replaceSchema);
      const entries = dedupe(parsed[list] ?? []);
      return applied(c, list, supervisor.replaceList(list, entries), null);
    });

    app.post(path, auth, body, async (c) => {
      const { name } = await readJsonBody(c, addEntryBodySchema);
      return applied(c, list, supervisor.addToList(list, name), name, true);
    });

    app.delete(`${path}/:name`, auth, (c) => {
      const name = readParam(c, 'name', listEntrySchema);
      return applied(c, list, supervisor.removeFromList(list, name), name);
    });
  }
}
