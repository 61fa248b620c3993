/**
 * The repository's docker-compose.yml as a user runs it, with whichever Compose this
 * machine has (`docker compose` or `docker-compose`): validated by `config` and brought up
 * under a project name of its own, its autoheal service running the image this test run
 * built once from the same Dockerfile (with the local Node base image, as no registry is
 * reachable here). Its example service, running the offline busybox test image, is healed
 * when made unhealthy. The enrolling label key is unique to this run, so the compose
 * autoheal never touches other containers on this host.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILD_TIMEOUT_MS,
  containerLogs,
  freePort,
  getJson,
  healthOf,
  http,
  NODE_BASE_IMAGE,
  npmCaCertB64,
  restartEvents,
  sharedAutohealImage,
  startedAtOf,
  waitUntil,
} from '../support/autoheal-image.js';
import { REPO_ROOT } from '../support/autoheal-process.js';
import { docker, TEST_IMAGE, uniqueLabelKey } from '../support/docker-fixtures.js';
import { composeCommand } from '../support/test-tools.js';

const execFileAsync = promisify(execFile);

const project = `ahtest${randomBytes(3).toString('hex')}`;
let image = '';
const labelKey = uniqueLabelKey();
const token = randomBytes(16).toString('hex');
let port = 0;
let url = '';

/** The environment docker-compose substitutes into the file, as a user would set it. */
function composeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AUTOHEAL_') && !key.startsWith('COMPOSE_')) env[key] = value;
  }
  return {
    ...env,
    AUTOHEAL_BASE_IMAGE: NODE_BASE_IMAGE,
    AUTOHEAL_IMAGE: image,
    AUTOHEAL_CONTAINER_LABEL: labelKey,
    AUTOHEAL_PORT: String(port),
    AUTOHEAL_API_TOKEN: token,
    EXAMPLE_IMAGE: TEST_IMAGE,
    NPM_CA_CERT_B64: npmCaCertB64(),
    COMPOSE_PROJECT_NAME: project,
  };
}

async function compose(args: string[], timeoutMs = 120_000): Promise<string> {
  const [file, ...command] = await composeCommand();
  try {
    const { stdout } = await execFileAsync(
      file!,
      [...command, '-p', project, '-f', 'docker-compose.yml', ...args],
      {
        cwd: REPO_ROOT,
        env: composeEnv(),
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout.trim();
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}\n${e.stderr ?? e.message}`.trimEnd().split('\n').slice(-40).join('\n');
    throw new Error(`${[file, ...command].join(' ')} ${args.join(' ')} failed:\n${output}`);
  }
}

async function serviceId(service: string): Promise<string> {
  const id = await compose(['ps', '-q', service]);
  if (id === '') throw new Error(`compose service ${service} has no container`);
  return id;
}

describe('docker-compose.yml', () => {
  let autohealId = '';
  let exampleId = '';

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    image = await sharedAutohealImage();
  }, BUILD_TIMEOUT_MS + 300_000);

  afterAll(async () => {
    await compose(['down', '-v', '--remove-orphans', '-t', '5'], 120_000).catch((err: Error) => {
      console.error(err.message);
    });
  }, 180_000);

  it('passes compose config, with the label key, images and build taken from the environment', async () => {
    const config = await compose(['config']);
    expect(config).toContain(`context: ${REPO_ROOT}`);
    expect(config).toContain(`${labelKey}: "true"`);
    expect(config).toContain(`image: ${image}`);
    expect(config).toContain(`image: ${TEST_IMAGE}`);
    expect(config).toContain(`BASE_IMAGE: ${NODE_BASE_IMAGE}`);
    // v1 prints the short port syntax, the plugin the long one.
    expect(config).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port}:8080|host_ip: 127\\.0\\.0\\.1[\\s\\S]*published: "?${port}"?`),
    );
  });

  it('brings the project up with the autoheal image built from the Dockerfile', async () => {
    await compose(['up', '-d', '--no-build'], 180_000);
    autohealId = await serviceId('autoheal');
    exampleId = await serviceId('example');
    await waitUntil(
      async () => (await healthOf(autohealId)) === 'healthy',
      90_000,
      'the compose autoheal service to turn healthy',
      () => containerLogs(autohealId),
    );
    const health = await getJson<{ status: string; docker: { connected: boolean } }>(`${url}/api/health`);
    expect(health.status).toBe('ok');
    expect(health.docker.connected).toBe(true);
  }, 300_000);

  it('heals the example service when it turns unhealthy', async () => {
    await waitUntil(
      async () => (await healthOf(exampleId)) === 'healthy',
      60_000,
      'the example service to turn healthy',
      () => containerLogs(exampleId),
    );
    const before = await startedAtOf(exampleId);
    await docker(['exec', exampleId, 'rm', '/www/index.html']);
    await waitUntil(
      async () => (await startedAtOf(exampleId)) !== before,
      90_000,
      'autoheal to restart the example service',
      async () => `example health: ${await healthOf(exampleId)}\n${await containerLogs(autohealId)}`,
    );
    const restarts = await waitUntil(
      async () => {
        const events = await restartEvents(url, exampleId, token);
        return events.length > 0 ? events : undefined;
      },
      20_000,
      'a restart/success event for the example service',
    );
    expect(restarts).toHaveLength(1);
    // Its command writes the page again, so the restart really heals it.
    await waitUntil(
      async () => (await healthOf(exampleId)) === 'healthy',
      60_000,
      'the restarted example service to turn healthy again',
    );
  });

  it('takes the API token from the environment: a change needs it', async () => {
    const restartUrl = `${url}/api/containers/${exampleId}/restart`;
    expect((await http(restartUrl, { method: 'POST' })).status).toBe(401);
    const answer = await http(
      restartUrl,
      { method: 'POST', headers: { authorization: `Bearer ${token}` } },
      30_000,
    );
    expect(answer.status, answer.body).toBe(200);
  });
});
