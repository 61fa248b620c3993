/**
 * `/api/config`: the effective settings (no secrets) and the two API-managed lists,
 * `excluded` and `selected`, with GET/PUT/POST/DELETE. Every change goes through the
 * supervisor, which records a `config_change` event and persists the list.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { readsNeedToken, SECRET_KEYS, type SettingKey, type Settings } from '../config/settings.js';
import { redactUrl } from '../shared/redact.js';
import type { ListName } from '../store/types.js';
import type { ListChange } from '../supervisor/types.js';
import { ApiError, quote } from './errors.js';
import { BEARER, documented, errors, json, jsonBody, readAuthErrors } from './openapi.js';
import {
  addEntryBodySchema,
  configResponseSchema,
  LIST_NAMES,
  listEntrySchema,
  listResponseSchema,
  replaceListBodySchema,
} from './schemas.js';
import type { ApiDeps } from './types.js';
import { readJsonBody, readParam } from './validate.js';

type SettingValue = string | number | boolean | null | string[];

/** Reads need no token, and a webhook URL often is a credential: show where it points. */
function maskUrl(url: string | null): string | null {
  return url === null ? null : redactUrl(url);
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
    AUTOHEAL_NOTIFY_STARTUP: settings.notifyStartup,
    AUTOHEAL_ENGINE_NOTICE_AFTER: settings.engineNoticeAfterS,
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
    AUTOHEAL_PEERS: settings.peers.map((p) => (p.kind === 'url' ? p.url : `dns+${p.name}:${p.port}`)),
    AUTOHEAL_PEER_TOKEN: null,
    AUTOHEAL_PEER_TOKEN_FILE: settings.peerTokenFile,
    AUTOHEAL_PUBLIC_URL: settings.publicUrl,
    AUTOHEAL_SELF_ID: settings.selfId,
    LOG_LEVEL: settings.logLevel,
  };
  return Object.fromEntries(Object.entries(all).filter(([key]) => !SECRET_KEYS.has(key as SettingKey)));
}

function dedupe(entries: readonly string[]): string[] {
  return [...new Set(entries)];
}

export function registerConfigRoutes(
  app: OpenAPIHono,
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

  const config = createRoute({
    method: 'get',
    path: '/api/config',
    summary: 'Effective settings (no secrets) and the lists',
    responses: { 200: json('The configuration.', configResponseSchema), ...readAuthErrors() },
  });
  documented(app, config, (c) =>
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
    const view = listResponseSchema(list);
    const bodyErrors = errors([400, 401, 403, 413, 415, 429]);

    const get = createRoute({
      method: 'get',
      path,
      summary: `The ${list} list`,
      responses: { 200: json('The list.', view), ...readAuthErrors() },
    });
    documented(app, get, (c) => c.json(listView(list)));

    const replace = createRoute({
      method: 'put',
      path,
      summary: `Replace the API-managed ${list} list (duplicates are dropped)`,
      middleware: [auth, body],
      security: BEARER,
      request: { body: jsonBody(replaceSchema) },
      responses: { 200: json('Replaced; the list as GET shows it.', view), ...bodyErrors },
    });
    documented(app, replace, async (c) => {
      const parsed = await readJsonBody(c, replaceSchema);
      const entries = dedupe(parsed[list] ?? []);
      return applied(c, list, supervisor.replaceList(list, entries), null);
    });

    const add = createRoute({
      method: 'post',
      path,
      summary: `Add one entry to the ${list} list`,
      middleware: [auth, body],
      security: BEARER,
      request: { body: jsonBody(addEntryBodySchema) },
      responses: {
        200: json('Already present; nothing changed.', view),
        201: json('Added.', view),
        ...bodyErrors,
      },
    });
    documented(app, add, async (c) => {
      const { name } = await readJsonBody(c, addEntryBodySchema);
      return applied(c, list, supervisor.addToList(list, name), name, true);
    });

    const remove = createRoute({
      method: 'delete',
      path: `${path}/{name}`,
      summary: `Remove one entry from the ${list} list`,
      middleware: auth,
      security: BEARER,
      request: { params: z.object({ name: listEntrySchema }) },
      responses: {
        200: json('Removed.', view),
        ...errors(list === 'excluded' ? [400, 401, 403, 404, 409, 429] : [400, 401, 403, 404, 429], {
          409: 'The entry comes from configuration (AUTOHEAL_EXCLUDE).',
        }),
      },
    });
    documented(app, remove, (c) => {
      const name = readParam(c, 'name', listEntrySchema);
      return applied(c, list, supervisor.removeFromList(list, name), name);
    });
  }
}
