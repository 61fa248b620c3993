/**
 * autoheal's Docker image, built from the real Dockerfile (with the local Node base image,
 * as no registry is reachable here; once per run, shared with the other e2e files that run
 * it) and run the way users run it: the socket mounted, a
 * named data volume, the port published. The scenarios follow one container's life and
 * then its successor's on the same volume, so they run in order.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiContainer,
  BUILD_TIMEOUT_MS,
  containerLogs,
  getJson,
  healthOf,
  http,
  npmCaCertB64,
  publishedUrl,
  restartEvents,
  sharedAutohealImage,
  startedAtOf,
  waitUntil,
} from '../support/autoheal-image.js';
import {
  containerName,
  createHealthContainer,
  docker,
  makeUnhealthy,
  NAME_PREFIX,
  OWNER_LABEL,
  OWNER_VALUE,
  PID_LABEL,
  removeAll,
  type TestContainer,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';

const SOCKET = '/var/run/docker.sock';
let tag = '';
const caB64 = npmCaCertB64();
const labelKey = uniqueLabelKey();
const volume = `${NAME_PREFIX}data`;

/** autoheal containers this file started (removed in afterAll). */
const autohealContainers = new Set<string>();
/** Named volumes this file created. */
const volumes = new Set<string>([volume]);

interface RunOptions {
  name: string;
  volume: string;
  user?: string;
}

/**
 * `docker run -d` of the built image, as a user would: socket, data volume, published
 * port (a free one on 127.0.0.1), this file's label key, which autoheal's own container
 * carries too (it must still never be monitored). The health interval is shortened; the
 * check itself is the image's HEALTHCHECK.
 */
/** The image binds 0.0.0.0, so its reads need a token. */
const READ_TOKEN = 'image-test-read-token-0123456789';

async function runAutoheal(options: RunOptions): Promise<{ id: string; url: string }> {
  const args = ['run', '-d', '--name', options.name];
  args.push('--label', `${OWNER_LABEL}=${OWNER_VALUE}`, '--label', `${PID_LABEL}=${process.pid}`);
  args.push('--label', `${labelKey}=true`);
  args.push('-v', `${SOCKET}:${SOCKET}`, '-v', `${options.volume}:/data`, '-p', '127.0.0.1::8080');
  args.push('-e', `AUTOHEAL_CONTAINER_LABEL=${labelKey}`, '-e', 'AUTOHEAL_INTERVAL=2');
  args.push('-e', `AUTOHEAL_API_READ_TOKEN=${READ_TOKEN}`);
  args.push('--health-interval', '1s', '--health-start-period', '30s');
  if (options.user) args.push('--user', options.user);
  args.push(tag);
  const id = await docker(args);
  autohealContainers.add(id);
  return { id, url: await publishedUrl(id) };
}

async function waitHealthy(id: string): Promise<void> {
  await waitUntil(
    async () => (await healthOf(id)) === 'healthy',
    60_000,
    `autoheal container ${id.slice(0, 12)} to turn healthy by its own HEALTHCHECK`,
    async () => `last health: ${await healthOf(id)}\n${await containerLogs(id)}`,
  );
}

interface HealthBody {
  status: string;
  docker: { connected: boolean };
  version: string;
}

describe('the autoheal image', () => {
  let first: { id: string; url: string };
  let sibling: TestContainer;

  beforeAll(async () => {
    tag = await sharedAutohealImage();
    await docker(['volume', 'create', '--label', `${OWNER_LABEL}=${OWNER_VALUE}`, volume]);
  }, BUILD_TIMEOUT_MS + 300_000);

  afterAll(async () => {
    await removeAll();
    for (const id of autohealContainers) await docker(['rm', '-f', '-v', id]).catch(() => undefined);
    for (const v of volumes) await docker(['volume', 'rm', '-f', v]).catch(() => undefined);
  }, 120_000);

  it('holds the compiled code, production dependencies, config and web only', async () => {
    const listing = await docker([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      tag,
      '-c',
      'ls -1 /app; for p in node_modules/vitest node_modules/typescript node_modules/@biomejs/biome src test; do ' +
        '[ -e "/app/$p" ] && echo "present: $p"; done; [ -e /tmp/npm-extra-ca.pem ] && echo "present: CA"; ' +
        '[ -f /app/dist/main.js ] && echo "has: dist/main.js"; [ -d /app/node_modules/dockerode ] && echo "has: dockerode"; true',
    ]);
    const lines = listing.split('\n');
    expect(lines.filter((l) => !l.includes(':'))).toEqual([
      'config',
      'dist',
      'node_modules',
      'package.json',
      'web',
    ]);
    expect(lines.filter((l) => l.startsWith('present:'))).toEqual([]);
    expect(lines).toContain('has: dist/main.js');
    expect(lines).toContain('has: dockerode');
  });

  it('is configured to run node dist/main.js as PID 1 with a node HEALTHCHECK, /data and the OCI labels', async () => {
    const [config] = JSON.parse(await docker(['image', 'inspect', tag])) as Array<{
      Config: {
        Cmd: string[];
        Entrypoint: string[] | null;
        Env: string[];
        Healthcheck: { Test: string[] };
        Volumes: Record<string, unknown>;
        ExposedPorts: Record<string, unknown>;
        Labels: Record<string, string>;
      };
    }>;
    const c = config!.Config;
    expect(c.Cmd).toEqual(['node', 'dist/main.js']);
    expect(c.Entrypoint ?? []).toEqual([]);
    expect(c.Healthcheck.Test.slice(0, 2)).toEqual(['CMD', 'node']);
    expect(c.Healthcheck.Test.join(' ')).toContain('/api/health');
    expect(c.Env).toEqual(
      expect.arrayContaining(['AUTOHEAL_API_HOST=0.0.0.0', 'AUTOHEAL_DATA_DIR=/data', 'NODE_ENV=production']),
    );
    // The CA given to the build stage stays there.
    expect(c.Env.filter((e) => e.startsWith('NODE_EXTRA_CA_CERTS='))).toEqual([]);
    expect(Object.keys(c.Volumes)).toEqual(['/data']);
    expect(Object.keys(c.ExposedPorts)).toEqual(['8080/tcp']);
    for (const key of ['title', 'description', 'source', 'licenses', 'version']) {
      expect(Object.keys(c.Labels)).toContain(`org.opencontainers.image.${key}`);
    }
    if (caB64 !== '') {
      const history = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', tag]);
      expect(history.includes(caB64.slice(0, 64)), 'the CA build argument shows in the image history').toBe(
        false,
      );
    }
  });

  it('runs with the socket mounted and turns healthy by its own HEALTHCHECK', async () => {
    first = await runAutoheal({ name: containerName('autoheal'), volume });
    await waitHealthy(first.id);
    const health = await getJson<HealthBody>(`${first.url}/api/health`);
    expect(health.status).toBe('ok');
    expect(health.docker.connected).toBe(true);
  });

  it('serves the API and the web UI on the published port', async () => {
    const api = await http(`${first.url}/api/health`);
    expect(api.status).toBe(200);
    expect(api.contentType).toContain('application/json');
    const page = await http(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(page.contentType).toContain('text/html');
    // The UI's library comes from the image's production dependencies, not a CDN.
    const vendor = await http(`${first.url}/vendor/htm-preact.js`);
    expect(vendor.status).toBe(200);
    expect(vendor.contentType).toContain('text/javascript');
  });

  it('recognises its own container and never monitors it, though it carries the label', async () => {
    // Listening on every address, the image answers reads only with a token.
    expect((await http(`${first.url}/api/containers`)).status).toBe(401);
    const { containers } = await getJson<{ containers: ApiContainer[] }>(
      `${first.url}/api/containers`,
      READ_TOKEN,
    );
    const own = containers.find((c) => c.id === first.id);
    expect(own, 'its own container is listed').toBeDefined();
    expect(own!.monitored).toBe(false);
    const logs = await containerLogs(first.id, 200);
    expect(logs).toContain(`"self_id":"${first.id.slice(0, 12)}"`);
  });

  it('heals a labelled sibling container that turns unhealthy', async () => {
    sibling = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    await waitForHealth(sibling, 'healthy', 30_000);
    const before = await startedAtOf(sibling.id);
    await makeUnhealthy(sibling);
    await waitUntil(
      async () => (await startedAtOf(sibling.id)) !== before,
      60_000,
      `autoheal to restart ${sibling.name}`,
      () => containerLogs(first.id),
    );
    const restarts = await waitUntil(
      async () => {
        const events = await restartEvents(first.url, sibling.id, READ_TOKEN);
        return events.length > 0 ? events : undefined;
      },
      20_000,
      `a restart/success event for ${sibling.name} in GET /api/events`,
    );
    expect(restarts[0]!.container_name).toBe(sibling.name);
    expect(await restartEvents(first.url, first.id, READ_TOKEN)).toEqual([]);
  });

  it('stops promptly on SIGTERM, exit code 0, with the store flushed', async () => {
    const started = Date.now();
    await docker(['stop', '-t', '20', first.id], 60_000);
    const took = Date.now() - started;
    expect(await docker(['inspect', '--format', '{{.State.ExitCode}}', first.id])).toBe('0');
    expect(took, 'docker stop waited for the kill timeout').toBeLessThan(15_000);
    expect(await containerLogs(first.id, 5)).toContain('the store is flushed');
  });

  it('keeps its audit trail on the volume across docker rm and a new container', async () => {
    await docker(['rm', '-v', first.id]);
    autohealContainers.delete(first.id);
    const second = await runAutoheal({ name: containerName('autoheal2'), volume });
    await waitHealthy(second.id);
    const restarts = await restartEvents(second.url, sibling.id, READ_TOKEN);
    expect(restarts.length, 'the first container’s restart event is listed by the second').toBeGreaterThan(0);
  });

  it('runs without root, as uid 1000 with the socket’s group', async () => {
    const socketGid = statSync(SOCKET).gid;
    const fresh = `${NAME_PREFIX}data-nonroot`;
    volumes.add(fresh);
    const nonRoot = await runAutoheal({
      name: containerName('nonroot'),
      volume: fresh,
      user: `1000:${socketGid}`,
    });
    await waitHealthy(nonRoot.id);
    const health = await getJson<HealthBody>(`${nonRoot.url}/api/health`);
    expect(health.docker.connected).toBe(true);
    expect(await docker(['exec', nonRoot.id, 'id', '-u'])).toBe('1000');
  });
});
