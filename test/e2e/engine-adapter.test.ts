/**
 * The engine adapter against the real Docker engine: list, inspect, a restart whose stop
 * outlasts the request timeout, and the typed event stream (health, die, destroy).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DockerEndpoint } from '../../src/config/settings.js';
import { DockerEngine } from '../../src/engine/docker-engine.js';
import { DockerEventSource } from '../../src/engine/event-source.js';
import type { ContainerEvent } from '../../src/engine/types.js';

const run = promisify(execFile);
const IMAGE = 'autoheal-test/busybox:latest';
const LABEL = 'autoheal-test.engine=1';
const PREFIX = `ahengine-${randomBytes(3).toString('hex')}-`;
const ENDPOINT: DockerEndpoint = { kind: 'unix', socketPath: '/var/run/docker.sock' };

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 60_000 });
  return stdout.trim();
}

async function create(suffix: string, ...args: string[]): Promise<{ id: string; name: string }> {
  const name = `${PREFIX}${suffix}`;
  const id = await docker(
    'run',
    '-d',
    '--name',
    name,
    '--label',
    LABEL,
    '--label',
    'com.example.role=test',
    ...args,
  );
  return { id, name };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  const ids = (await docker('ps', '-aq', '--filter', `label=${LABEL}`)).split('\n').filter(Boolean);
  if (ids.length > 0) await docker('rm', '-f', '-v', ...ids);
});

describe('DockerEngine on the real engine', () => {
  const engine = new DockerEngine({ endpoint: ENDPOINT, requestTimeoutS: 3 });

  it('lists running and stopped containers and inspects one', async () => {
    await engine.ping();
    const up = await create(
      'up',
      '--health-cmd',
      'true',
      '--health-interval',
      '1s',
      '--network',
      'none',
      IMAGE,
      'sleep',
      '300',
    );
    const down = await create('down', IMAGE, 'true');
    await docker('wait', down.id);

    const list = await engine.listContainers();
    const listedUp = list.find((c) => c.id === up.id);
    const listedDown = list.find((c) => c.id === down.id);
    expect(listedUp).toMatchObject({
      name: up.name,
      image: IMAGE,
      state: 'running',
      labels: { 'autoheal-test.engine': '1', 'com.example.role': 'test' },
    });
    expect(listedDown).toMatchObject({ name: down.name, state: 'exited', health: 'none' });

    const deadline = Date.now() + 20_000;
    let inspected = await engine.inspect(up.id);
    while (inspected?.health !== 'healthy' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      inspected = await engine.inspect(up.id);
    }
    expect(inspected).toMatchObject({
      id: up.id,
      name: up.name,
      state: 'running',
      health: 'healthy',
      networkMode: 'none',
    });
    expect((await engine.listContainers()).find((c) => c.id === up.id)?.health).toBe('healthy');
    expect(await engine.inspect(up.name)).toMatchObject({ id: up.id });
  });

  it('inspect of a container that does not exist is null; restart of one rejects with the engine text', async () => {
    expect(await engine.inspect(`${PREFIX}missing`)).toBeNull();
    await expect(engine.restart(`${PREFIX}missing`, 1)).rejects.toThrow(/No such container/);
  });

  it('a restart whose stop takes 5 s is not cut by a 3 s request timeout', async () => {
    const c = await create('stubborn', IMAGE, 'sh', '-c', 'trap "" TERM; while true; do sleep 1; done');
    const before = await docker('inspect', '-f', '{{.State.StartedAt}}', c.id);
    const started = Date.now();
    await engine.restart(c.id, 5);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(5000);
    const after = await docker('inspect', '-f', '{{.State.StartedAt}} {{.State.Running}}', c.id);
    expect(after).not.toContain(before);
    expect(after.endsWith('true')).toBe(true);
  });
});

describe('DockerEventSource on the real engine', () => {
  it('delivers health_status: unhealthy (the engine filter `health_status` matches it), die with exit code, destroy', async () => {
    const events: ContainerEvent[] = [];
    const connected: boolean[] = [];
    const source = new DockerEventSource({ endpoint: ENDPOINT, requestTimeoutS: 5, watchdogIntervalMs: 500 });
    source.start({
      onEvent: (e) => events.push(e),
      onConnected: (i) => connected.push(i.reconnect),
      onDisconnected: () => undefined,
    });
    try {
      await until(() => connected.length === 1, 10_000, 'connected');
      const c = await create(
        'sick',
        '--health-cmd',
        'false',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        IMAGE,
        'sleep',
        '300',
      );
      const mine = () => events.filter((e) => e.id === c.id);
      await until(() => mine().some((e) => e.health === 'unhealthy'), 30_000, 'unhealthy event');
      await docker('kill', c.id);
      await docker('rm', '-f', c.id);
      await until(() => mine().some((e) => e.action === 'destroy'), 20_000, 'destroy event');

      const seen = mine();
      expect(seen[0]).toMatchObject({
        action: 'start',
        name: c.name,
        labels: { 'autoheal-test.engine': '1', 'com.example.role': 'test' },
      });
      expect(seen.find((e) => e.health === 'unhealthy')).toMatchObject({
        action: 'health_status',
        name: c.name,
      });
      expect(seen.find((e) => e.action === 'die')?.exitCode).toBe(137);
      for (const e of seen) expect(e.timeNano).toMatch(/^\d{19}$/);
      // Only the subscribed actions come through (no create, kill, exec_*).
      expect(new Set(seen.map((e) => e.action))).toEqual(
        new Set(['start', 'health_status', 'die', 'destroy']),
      );
      expect(source.status()).toMatchObject({ connected: true, parseErrors: 0, reconnects: 0 });
    } finally {
      await source.stop();
    }
  });
});
