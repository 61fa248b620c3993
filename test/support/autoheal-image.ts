/**
 * Building and running autoheal's own image in the end-to-end tests: the local Node base
 * image (scripts/make-node-base-image.sh, there is no registry here), the CA that `npm ci`
 * inside the build must trust, `docker build` of the real Dockerfile with the classic
 * builder, and small helpers to talk to a container's published API.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { REPO_ROOT } from './autoheal-process.js';
import { docker, OWNER_LABEL, OWNER_VALUE, PID_LABEL, sleep } from './docker-fixtures.js';

const execFileAsync = promisify(execFile);

export const NODE_BASE_IMAGE = 'autoheal-test/node-base:20';
/** A build with `npm ci` over the network: minutes, not seconds. */
export const BUILD_TIMEOUT_MS = 600_000;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the e2e global setup: one id per `vitest run`, and its process id. */
    e2eRun: { id: string; pid: number };
  }
}

/** The tag of the autoheal image shared by every e2e file of the run `runId` (a tag of its
 * own, so a run never replaces an image another run uses). */
export function runImageTag(runId: string): string {
  return `autoheal-e2e:run-${runId}`;
}

/**
 * autoheal's image built from the Dockerfile once per test run and shared by the e2e files
 * that run it (image, compose, ...): the first file to ask builds it, the others find it.
 * Files run one at a time, so two never build at once. The global setup removes it when
 * the run ends, and removes images of aborted runs (their run's process is gone).
 */
export async function sharedAutohealImage(): Promise<string> {
  const run = inject('e2eRun');
  const tag = runImageTag(run.id);
  const found = await docker(['image', 'inspect', '--format', '{{.Id}}', tag]).catch(() => '');
  if (found !== '') return tag;
  await ensureNodeBaseImage();
  const build = await buildAutohealImage(tag, npmCaCertB64(), {
    [OWNER_LABEL]: OWNER_VALUE,
    [PID_LABEL]: String(run.pid),
  });
  console.info(
    `built ${tag} for this run in ${(build.durationMs / 1000).toFixed(0)} s; image size ` +
      `${megabytes(await imageSizeBytes(tag))} (base ${NODE_BASE_IMAGE} ` +
      `${megabytes(await imageSizeBytes(NODE_BASE_IMAGE))})`,
  );
  return tag;
}

/** Builds autoheal-test/node-base:20 when missing (the script is idempotent). */
export async function ensureNodeBaseImage(): Promise<void> {
  const script = join(REPO_ROOT, 'scripts', 'make-node-base-image.sh');
  try {
    await execFileAsync('bash', [script], { cwd: REPO_ROOT, timeout: 300_000 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** One build argument must stay well under Linux's 128 KiB limit of one argv string. */
const MAX_CA_ARG_CHARS = 100_000;

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * The value of the Dockerfile's NPM_CA_CERT_B64: the certificates of the file named by
 * NODE_EXTRA_CA_CERTS that Node does not already trust (a TLS-intercepting proxy's CA, for
 * one), base64-encoded; '' when there are none. The whole system bundle would not fit in
 * a build argument, and Node's own roots need no passing.
 */
export function npmCaCertB64(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (file === undefined || file.trim() === '') return '';
  const known = new Set(rootCertificates.map(pemBody));
  const extra = (readFileSync(file, 'utf8').match(PEM_CERT) ?? []).filter((pem) => !known.has(pemBody(pem)));
  if (extra.length === 0) return '';
  const b64 = Buffer.from(`${extra.join('\n')}\n`).toString('base64');
  if (b64.length > MAX_CA_ARG_CHARS) {
    throw new Error(
      `NODE_EXTRA_CA_CERTS=${file} holds ${extra.length} certificates Node does not know ` +
        `(${b64.length} base64 characters): too many for the NPM_CA_CERT_B64 build argument`,
    );
  }
  return b64;
}

export interface BuildResult {
  /** The last lines of `docker build`'s output, for the test log. */
  tail: string;
  durationMs: number;
}

/**
 * `docker build` of the repository's Dockerfile with the classic builder, the local base
 * image and the CA pass-through. Rejects with the end of the build's output.
 */
export async function buildAutohealImage(
  tag: string,
  caB64: string = npmCaCertB64(),
  labels: Record<string, string> = {},
): Promise<BuildResult> {
  const args = ['build', '--build-arg', `BASE_IMAGE=${NODE_BASE_IMAGE}`, '-t', tag];
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  if (caB64 !== '') args.push('--build-arg', `NPM_CA_CERT_B64=${caB64}`);
  args.push(REPO_ROOT);
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync('docker', args, {
      cwd: REPO_ROOT,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { tail: lastLines(`${stdout}${stderr}`, 5), durationMs: Date.now() - started };
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `docker build of ${tag} failed after ${Date.now() - started} ms:\n` +
        lastLines(`${e.stdout ?? ''}\n${e.stderr ?? e.message}`, 40),
    );
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** Removes an image tag; never throws (for afterAll). */
export async function removeImage(tag: string): Promise<void> {
  await docker(['image', 'rm', tag]).catch(() => undefined);
}

export async function imageSizeBytes(tag: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '--format', '{{.Size}}', tag]));
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** A TCP port free on 127.0.0.1 right now (for a published port chosen up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The host address Docker published a container's port on, e.g. `http://127.0.0.1:49153`. */
export async function publishedUrl(containerId: string, port = 8080): Promise<string> {
  const out = await docker(['port', containerId, `${port}/tcp`]);
  const first = out.split('\n').find((line) => line.startsWith('127.0.0.1:') || line.startsWith('0.0.0.0:'));
  if (!first)
    throw new Error(`container ${containerId} publishes no ${port}/tcp on IPv4 (docker port: ${out})`);
  return `http://${first.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** One request; network errors become status 0 so a poll can keep trying. */
export async function http(url: string, init: RequestInit = {}, timeoutMs = 5_000): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
  } catch (err) {
    return { status: 0, contentType: '', body: (err as Error).message };
  }
}

/** GET a JSON resource; `token` is sent as a bearer token (reads in the image need one). */
export async function getJson<T>(url: string, token?: string): Promise<T> {
  const answer = await http(
    url,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  if (answer.status !== 200)
    throw new Error(`GET ${url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as T;
}

/** Polls `check` until it returns something other than undefined/false; the error says `what`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  diagnostics?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(500);
  }
  const extra = diagnostics ? `\n${await diagnostics().catch((e: Error) => e.message)}` : '';
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${lastError})` : ''}${extra}`,
  );
}

/** The last log lines of a container, for error messages. */
export async function containerLogs(containerId: string, lines = 30): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync('docker', ['logs', '--tail', String(lines), containerId], {
      timeout: 20_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `logs of ${containerId.slice(0, 12)}:\n${stdout}${stderr}`;
  } catch (err) {
    return `docker logs ${containerId.slice(0, 12)} failed: ${(err as Error).message}`;
  }
}

/** The container's health status (`starting`, `healthy`, `unhealthy`, `none`). */
export async function healthOf(containerId: string): Promise<string> {
  return docker([
    'inspect',
    '--format',
    '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
    containerId,
  ]);
}

export async function startedAtOf(containerId: string): Promise<string> {
  return docker(['inspect', '--format', '{{.State.StartedAt}}', containerId]);
}

/** An audit event as `GET /api/events` serves it (the fields these tests read). */
export interface ApiEvent {
  id: number;
  event_type: string;
  container_id: string | null;
  container_name: string | null;
  status: string;
}

/** An entry of `GET /api/containers` (the fields these tests read). */
export interface ApiContainer {
  id: string;
  name: string;
  monitored: boolean;
  enrolled_by: string | null;
}

/** Successful restarts of one container, as the API lists them. */
export async function restartEvents(
  baseUrl: string,
  containerId: string,
  token: string,
): Promise<ApiEvent[]> {
  const { events } = await getJson<{ events: ApiEvent[] }>(
    `${baseUrl}/api/events?type=restart&container=${containerId}`,
    token,
  );
  return events.filter((e) => e.container_id === containerId && e.status === 'success');
}
