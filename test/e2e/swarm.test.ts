/**
 * deploy/swarm-stack.yml on a real single-node Docker Swarm. The swarm is made on a second
 * dockerd started for this file (never on the shared engine); the run's autoheal image,
 * built on the main engine, is loaded into the second one. The stack's autoheal finds its peers
 * through Swarm's DNS (`dns+tasks.autoheal:8080`): alone, it resolves to itself and leaves
 * itself out; with a second task answering to the same name, the fleet view shows both.
 * The second engine (and with it the swarm) is removed in afterAll, even on failure.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sharedAutohealImage, waitUntil } from '../support/autoheal-image.js';
import { REPO_ROOT } from '../support/autoheal-process.js';
import { TEST_IMAGE } from '../support/docker-fixtures.js';
import { copyImage, type SecondEngine, startSecondEngine } from '../support/dockerd.js';

const execFileAsync = promisify(execFile);
const STACK = 'ahswarm';
const STACK_FILE = join(REPO_ROOT, 'deploy', 'swarm-stack.yml');
const readToken = randomBytes(16).toString('hex');
let tag: string;
let engine: SecondEngine | null = null;
let port: number;
let nodeName: string;

interface FleetHost {
  host: string;
  url: string;
  ok: boolean;
  self: boolean;
  error: string | null;
}

async function read<T>(path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { Authorization: `Bearer ${readToken}` },
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (path === '/metrics' ? text : JSON.parse(text)) as T;
}

/** The log lines of the stack's autoheal task (its container's stdout and stderr). */
async function stackLogs(): Promise<string> {
  if (engine === null) return '';
  try {
    const ids = (
      await engine.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${STACK}_autoheal`])
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    const { stdout } = await execFileAsync('sh', [
      '-c',
      'docker -H "$1" logs --tail 200 "$2" 2>&1',
      'logs',
      engine.dockerHost,
      ids[0] ?? '',
    ]);
    return stdout;
  } catch (err) {
    return (err as Error).message;
  }
}

beforeAll(async () => {
  // The run's shared image (built once per run), loaded into the second engine.
  tag = await sharedAutohealImage();
  engine = await startSecondEngine();
  await copyImage(engine, tag);
  await copyImage(engine, TEST_IMAGE);
  const gateway = engine.subnet.replace(/0\/24$/, '1');
  await engine.docker(['swarm', 'init', '--advertise-addr', gateway, '--default-addr-pool', '10.213.0.0/16']);
  nodeName = (await engine.docker(['info', '--format', '{{.Name}}'])).trim();
  await execFileAsync('sh', [
    '-c',
    'printf %s "$1" | docker -H "$2" secret create autoheal_read_token -',
    'secret',
    readToken,
    engine.dockerHost,
  ]);
  port = await freePort();
  await execFileAsync(
    'docker',
    ['-H', engine.dockerHost, 'stack', 'deploy', '--resolve-image', 'never', '-c', STACK_FILE, STACK],
    {
      env: { ...process.env, AUTOHEAL_IMAGE: tag, AUTOHEAL_PORT: String(port), DOCKER_SOCKET: engine.socket },
      timeout: 120_000,
    },
  );
}, 900_000);

afterAll(async () => {
  await engine?.destroy();
});

describe('deploy/swarm-stack.yml on a single-node swarm', () => {
  it('runs one autoheal on the node, named after it, on a host-mode port', async () => {
    const health = await waitUntil(
      () => read<{ host: string; status: string }>('/api/health'),
      120_000,
      `the stack's autoheal answering on 127.0.0.1:${port}`,
      stackLogs,
    );
    expect(health.host).toBe(nodeName);
    expect(health.status).toBe('ok');
  });

  it('resolves dns+tasks.autoheal and leaves itself out', async () => {
    const fleet = await read<{ configured: boolean; hosts: FleetHost[] }>('/api/fleet');
    expect(fleet.configured).toBe(true);
    // Resolved (a failed lookup would be a host card for dns+tasks.autoheal:8080), to itself only.
    expect(fleet.hosts.map((h) => [h.host, h.self, h.ok])).toEqual([[nodeName, true, true]]);
    const resolved = await waitUntil(
      async () =>
        (await stackLogs())
          .split('\n')
          .find(
            (line) =>
              line.includes('"peer":"dns+tasks.autoheal:8080"') && line.includes('peer addresses resolved'),
          ),
      60_000,
      'the lookup of tasks.autoheal in the task log',
      stackLogs,
    );
    // One task, one address: its own, which the fleet view leaves out.
    expect((JSON.parse(resolved) as { addresses: string[] }).addresses).toHaveLength(1);
  });

  it('shows a second task answering to tasks.autoheal as a peer in the fleet view', async () => {
    await engine?.docker([
      'service',
      'create',
      '--detach',
      '--name',
      `${STACK}_twin`,
      '--network',
      `name=${STACK}_autoheal,alias=autoheal`,
      '--endpoint-mode',
      'dnsrr',
      '--env',
      'AUTOHEAL_HOSTNAME=twin',
      '--env',
      'AUTOHEAL_API_HOST=0.0.0.0',
      '--env',
      'AUTOHEAL_API_PORT=8080',
      '--env',
      'AUTOHEAL_PEERS=dns+tasks.autoheal:8080',
      '--env',
      `AUTOHEAL_PEER_TOKEN=${readToken}`,
      '--env',
      'AUTOHEAL_API_READ_AUTH=true',
      '--env',
      `AUTOHEAL_API_READ_TOKEN=${readToken}`,
      '--mount',
      `type=bind,src=${engine.socket},dst=/var/run/docker.sock`,
      tag,
    ]);
    const hosts = await waitUntil(
      async () => {
        const h = (await read<{ hosts: FleetHost[] }>('/api/fleet')).hosts;
        return h.length === 2 && h.every((x) => x.ok) ? h : undefined;
      },
      90_000,
      'the twin task in the fleet view (re-resolved every 30 s)',
      stackLogs,
    );
    expect(hosts.map((h) => [h.host, h.self])).toEqual([
      [nodeName, true],
      ['twin', false],
    ]);
    expect(hosts[1]?.url).toMatch(/^http:\/\/10\.213\.\d+\.\d+:8080$/);
  });
});
