/**
 * How autoheal reaches the engine: dockerode client options from a `DockerEndpoint`, and one
 * request primitive with a deadline and readable errors that the engine adapter and the
 * event source share.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { DockerEndpoint } from '../config/settings.js';
import { isRecord } from '../shared/json.js';

/** The options handed to dockerode (which passes them on to docker-modem). */
export interface ModemOptions {
  socketPath: string | undefined;
  host: string | undefined;
  port: number | undefined;
  protocol: 'http' | 'https';
  pathPrefix: string | undefined;
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  /** Always undefined: deadlines are set per request (a restart needs a longer one). */
  timeout: undefined;
  version: undefined;
}

type ReadFile = (path: string) => Buffer;

/** Environment variables docker-modem reads in its constructor, whatever options it is given. */
const MODEM_ENV_KEYS = [
  'DOCKER_HOST',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'DOCKER_CLIENT_TIMEOUT',
  'DOCKER_PATH_PREFIX',
] as const;

function readFirst(certPath: string, names: readonly string[], what: string, readFile: ReadFile): Buffer {
  for (const name of names) {
    try {
      return readFile(join(certPath, name));
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) {
        throw new Error(
          `cannot read the TLS ${what} ${join(certPath, name)}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
  throw new Error(`TLS ${what} not found in DOCKER_CERT_PATH ${certPath} (looked for ${names.join(' or ')})`);
}

/**
 * Every key is set explicitly, including the ones left undefined: docker-modem merges its
 * own defaults (built from `DOCKER_HOST` & co.) under these with `Object.assign`, and an
 * explicit `undefined` is what stops an env `DOCKER_HOST` host from beating our socket path.
 */
export function modemOptions(endpoint: DockerEndpoint, readFile: ReadFile = readFileSync): ModemOptions {
  const base: ModemOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: 'http',
    pathPrefix: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
    version: undefined,
  };
  switch (endpoint.kind) {
    case 'unix':
      return { ...base, socketPath: endpoint.socketPath };
    case 'tcp':
      return { ...base, host: endpoint.host, port: endpoint.port, pathPrefix: '/' };
    case 'tls':
      return {
        ...base,
        host: endpoint.host,
        port: endpoint.port,
        pathPrefix: '/',
        protocol: 'https',
        ca: readFirst(endpoint.certPath, ['ca.pem'], 'CA certificate', readFile),
        cert: readFirst(endpoint.certPath, ['cert.pem', 'client-cert.pem'], 'client certificate', readFile),
        key: readFirst(endpoint.certPath, ['key.pem', 'client-key.pem'], 'client key', readFile),
      };
  }
}

/** The endpoint as a user would write it, for log lines and error messages. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'tcp':
      return `tcp://${endpoint.host}:${endpoint.port}`;
    case 'tls':
      return `tcps://${endpoint.host}:${endpoint.port}`;
  }
}

/**
 * Builds the dockerode client. docker-modem's constructor parses `DOCKER_HOST` and reads
 * `$DOCKER_CERT_PATH/cert.pem` on its own, and throws when either is unusable, even when
 * explicit options would override them. Those variables are hidden for the duration of the
 * (synchronous) constructor so that only our endpoint counts.
 */
export function createDockerClient(endpoint: DockerEndpoint, readFile: ReadFile = readFileSync): Docker {
  const options = modemOptions(endpoint, readFile);
  // A private agent: Node 20's global agent keeps sockets alive with a 5 s idle timeout,
  // and none of our requests (a 4-minute stop, a silent event stream) should share that.
  const agent =
    options.protocol === 'https'
      ? new https.Agent({ keepAlive: false })
      : new http.Agent({ keepAlive: false });
  const saved = new Map<string, string>();
  for (const key of MODEM_ENV_KEYS) {
    const value = process.env[key];
    if (value !== undefined) {
      saved.set(key, value);
      delete process.env[key];
    }
  }
  try {
    const dockerOptions: Docker.DockerOptions & { agent: http.Agent; pathPrefix: string | undefined } = {
      ...options,
      agent,
    };
    return new Docker(dockerOptions);
  } finally {
    for (const [key, value] of saved) process.env[key] = value;
  }
}

/** An engine request that failed; `message` is the engine's own text when it sent one. */
export class EngineError extends Error {
  constructor(
    message: string,
    /** The HTTP status the engine answered with; undefined when it was not reached. */
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** docker-modem's errors carry the status and the engine's JSON body (`{"message": …}`). */
export function toEngineError(err: unknown, where: string): EngineError {
  if (err instanceof EngineError) return err;
  if (!(err instanceof Error)) return new EngineError(`${where}: ${String(err)}`, undefined);
  const record: Record<string, unknown> = { ...err };
  const statusCode = typeof record.statusCode === 'number' ? record.statusCode : undefined;
  if (statusCode !== undefined) {
    const body = record.json;
    let text: string | null = null;
    if (isRecord(body) && typeof body.message === 'string') text = body.message;
    else if (Buffer.isBuffer(body)) text = body.toString('utf8').trim() || null;
    else if (typeof body === 'string') text = body.trim() || null;
    // A stream request's error has no `json`: its cause is only in the message's tail.
    const tail = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(err.message.trim())?.[1]?.trim();
    return new EngineError(text ?? (tail || err.message.trim()), statusCode);
  }
  return new EngineError(`cannot reach the Docker engine at ${where}: ${err.message}`, undefined);
}

export interface EngineRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path without query, e.g. `/containers/json`. */
  path: string;
  query?: Record<string, string | number | boolean | object>;
  /** A JSON body (POST only), e.g. the configuration of `POST /containers/create`. */
  body?: Readonly<Record<string, unknown>>;
  /** Status codes that mean success (dockerode's convention: `{200: true}`). */
  ok: readonly number[];
  /**
   * Deadline for the whole answer (for a stream: until the response headers). null: none.
   * A deadline, unlike a socket idle timeout, also bounds an engine that trickles bytes.
   */
  timeoutMs: number | null;
  /** Ends the request (and, for a stream, the response) from outside. */
  signal?: AbortSignal;
  /** Resolve with the response stream as soon as the headers arrive. */
  stream?: boolean;
}

/** What a stream request resolves with. */
export interface EngineStream extends NodeJS.ReadableStream {
  headers?: Record<string, string | string[] | undefined>;
  destroy(error?: Error): void;
}

function isEngineStream(value: unknown): value is EngineStream {
  return isRecord(value) && typeof value.on === 'function' && typeof value.destroy === 'function';
}

/** One engine endpoint and the requests made to it. */
export class EngineClient {
  readonly docker: Docker;
  readonly where: string;

  constructor(endpoint: DockerEndpoint) {
    this.docker = createDockerClient(endpoint);
    this.where = describeEndpoint(endpoint);
  }

  request(req: EngineRequest & { stream: true }): Promise<EngineStream>;
  request(req: EngineRequest): Promise<unknown>;
  request(req: EngineRequest): Promise<unknown> {
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      req.timeoutMs === null
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, req.timeoutMs);
    const forward = (): void => controller.abort();
    if (req.signal?.aborted) controller.abort();
    else req.signal?.addEventListener('abort', forward, { once: true });

    const statusCodes: Record<number, boolean> = {};
    for (const code of req.ok) statusCodes[code] = true;
    const hasQuery = req.query !== undefined && Object.keys(req.query).length > 0;

    return new Promise<unknown>((resolve, reject) => {
      this.docker.modem.dial(
        {
          // docker-modem appends the query string only when the path carries a `?`.
          path: hasQuery ? `${req.path}?` : req.path,
          method: req.method,
          // With a body, docker-modem takes the query from `_query` and the body from `_body`.
          options:
            req.body !== undefined
              ? { _query: { ...req.query }, _body: req.body }
              : hasQuery
                ? { ...req.query }
                : {},
          statusCodes,
          isStream: req.stream === true,
          abortSignal: controller.signal,
        },
        (err, result) => {
          clearTimeout(timer);
          if (!req.stream) req.signal?.removeEventListener('abort', forward);
          if (err) {
            if (timedOut) {
              const seconds = Math.round(((req.timeoutMs ?? 0) / 1000) * 10) / 10;
              reject(
                new EngineError(
                  `${req.method} ${req.path}: no answer from the Docker engine at ${this.where} within ${seconds} s`,
                  undefined,
                ),
              );
            } else {
              reject(toEngineError(err, this.where));
            }
            return;
          }
          if (req.stream) {
            if (isEngineStream(result)) resolve(result);
            else
              reject(
                new EngineError(`${req.method} ${req.path}: the engine answered without a stream`, undefined),
              );
            return;
          }
          resolve(result);
        },
      );
    });
  }
}
