/**
 * A parent replaced on the real engine — `docker rm -f vpn` then `docker run --name vpn …`,
 * `docker-compose up -d --no-deps vpn` after a change, or compose's steps done by hand: the
 * dependent left in the old network namespace is re-created into the new one, with its
 * labels, environment and data; and when the copy cannot be created, the old dependent is
 * left as it was and the failure recorded. Only parents this autoheal monitors (the test's
 * own label key) and labelled `autoheal.dependents=recreate` count, so other containers on
 * this engine are never touched.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutohealProcess, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import {
  adopt,
  containerName,
  createHealthContainer,
  docker,
  NAME_PREFIX,
  OWNER_LABEL,
  OWNER_VALUE,
  PID_LABEL,
  removeAll,
  sleep,
  TEST_IMAGE,
  type TestContainer,
  uniqueLabelKey,
} from '../support/docker-fixtures.js';
import { composeCommand } from '../support/test-tools.js';

const execFileAsync = promisify(execFile);

/** A label key nothing else carries: only the parents made here are monitored. */
const LABEL_KEY = uniqueLabelKey();
const RECREATE = { [LABEL_KEY]: 'true', 'autoheal.dependents': 'recreate' };

interface Inspected {
  Id: string;
  Name: string;
  State: { Running: boolean };
  Config: { Labels: Record<string, string>; Env: string[] };
  HostConfig: { NetworkMode: string };
  Mounts: Array<{ Type: string; Name?: string; Destination: string }>;
}

async function inspectByName(name: string): Promise<Inspected> {
  const [json] = JSON.parse(await docker(['inspect', '--type', 'container', name])) as Inspected[];
  if (!json) throw new Error(`docker inspect ${name} returned nothing`);
  return json;
}

async function exists(ref: string): Promise<boolean> {
  return docker(['inspect', '--type', 'container', ref]).then(
    () => true,
    () => false,
  );
}

/** The network namespace a container's processes are in, e.g. `net:[4026532301]`. */
async function netns(ref: string): Promise<string> {
  return docker(['exec', ref, 'readlink', '/proc/self/ns/net']);
}

describe('dependents of a replaced parent, on the real engine', () => {
  let ah: AutohealProcess;
  const volumes: string[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    // A label key nothing else carries: autoheal monitors only the parents made here.
    ah = await startAutoheal({ env: { AUTOHEAL_CONTAINER_LABEL: LABEL_KEY, AUTOHEAL_INTERVAL: '2' } });
  }, 60_000);

  afterAll(async () => {
    await stopAllAutoheals();
    await removeAll();
    // A copy autoheal made that a failed test never adopted still carries this process's label.
    const copies = await docker(['ps', '-aq', '--filter', `label=${PID_LABEL}=${process.pid}`]).catch(
      () => '',
    );
    for (const id of copies.split('\n').filter((x) => x !== ''))
      await docker(['rm', '-f', '-v', id]).catch(() => undefined);
    for (const v of volumes) await docker(['volume', 'rm', '-f', v]).catch(() => undefined);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }, 60_000);

  /** A labelled vpn autoheal has seen start, and a dependent in its namespace. */
  async function vpnWithDependent(dependentOptions: Parameters<typeof createHealthContainer>[0] = {}) {
    const vpnName = containerName('vpn');
    const vpn = await createHealthContainer({ name: vpnName, labels: RECREATE });
    const dep = await createHealthContainer({
      name: containerName('torrent'),
      network: `container:${vpn.id}`,
      ...dependentOptions,
    });
    await ah.waitForLog(
      (l) => l.json?.container === vpnName && l.json?.msg === 'container started',
      60_000,
      `autoheal to see ${vpnName} start`,
    );
    return { vpn, dep };
  }

  /** `docker rm -f` then `docker run` under the same name. */
  async function replace(vpn: TestContainer): Promise<TestContainer> {
    await docker(['rm', '-f', vpn.id]);
    return createHealthContainer({ name: vpn.name, labels: RECREATE });
  }

  it('re-creates the dependent into the new namespace, keeping its labels, env and data', async () => {
    const { vpn, dep } = await vpnWithDependent({
      labels: { 'app.role': 'torrent' },
      env: { PUID: '1000' },
      volumes: ['/data'],
    });
    await docker(['exec', dep.id, 'sh', '-c', 'echo kept > /data/state']);
    const oldMounts = (await inspectByName(dep.name)).Mounts;
    const anon = oldMounts.find((m) => m.Destination === '/data')?.Name;
    if (anon) volumes.push(anon);
    expect(await netns(dep.id)).toBe(await netns(vpn.id));

    const newVpn = await replace(vpn);
    const event = await ah.waitForAudit(
      (e) => e.event_type === 'recreate' && e.container_name === dep.name,
      60_000,
      `a recreate event for ${dep.name}`,
    );

    expect(event.status).toBe('success');
    const copy = await inspectByName(dep.name);
    adopt(copy.Id);
    expect(copy.Id).not.toBe(dep.id);
    expect(event).toMatchObject({
      container_id: copy.Id,
      details: { old_id: dep.id, new_id: copy.Id, dependency: vpn.name, dependency_id: newVpn.id },
    });
    expect(copy.HostConfig.NetworkMode).toBe(`container:${newVpn.id}`);
    expect(copy.State.Running).toBe(true);
    expect(copy.Config.Labels).toMatchObject({ 'app.role': 'torrent' });
    expect(copy.Config.Env).toEqual(expect.arrayContaining(['PUID=1000', 'START_HEALTHY=1']));
    expect(copy.Mounts.find((m) => m.Destination === '/data')?.Name).toBe(anon);
    expect(await docker(['exec', copy.Id, 'cat', '/data/state'])).toBe('kept');
    // It is in the new parent's network namespace, and the old dependent is gone.
    expect(await netns(copy.Id)).toBe(await netns(newVpn.id));
    expect(await exists(dep.id)).toBe(false);
  }, 180_000);

  it('recognises a compose-style replacement by project and service, the old one stopped and renamed aside', async () => {
    // What `docker-compose up -d --no-deps vpn` does after a change: stop the old container,
    // rename it aside, create and start the new one, remove the old. The new one here has
    // another name (compose v2's), so only the compose labels tie the two together.
    const project = `ahtest${Date.now().toString(36)}`;
    const compose = {
      ...RECREATE,
      'com.docker.compose.project': project,
      'com.docker.compose.service': 'vpn',
      'com.docker.compose.container-number': '1',
    };
    const vpn = await createHealthContainer({ name: containerName(`${project}_vpn_1`), labels: compose });
    const dep = await createHealthContainer({
      name: containerName('torrent'),
      network: `container:${vpn.id}`,
    });
    await ah.waitForLog(
      (l) => l.json?.container === vpn.name && l.json?.msg === 'container started',
      60_000,
      `autoheal to see ${vpn.name} start`,
    );

    await docker(['stop', '-t', '1', vpn.id]);
    await docker(['rename', vpn.id, `${vpn.id.slice(0, 12)}_${vpn.name}`]);
    const newVpn = await createHealthContainer({ name: containerName(`${project}-vpn-1`), labels: compose });
    await docker(['rm', '-f', vpn.id]);

    const event = await ah.waitForAudit(
      (e) => e.event_type === 'recreate' && e.container_name === dep.name,
      60_000,
      `a recreate event for ${dep.name}`,
    );
    expect(event).toMatchObject({ status: 'success', details: { dependency: newVpn.name } });
    const copy = await inspectByName(dep.name);
    adopt(copy.Id);
    expect(copy.HostConfig.NetworkMode).toBe(`container:${newVpn.id}`);
    expect(await netns(copy.Id)).toBe(await netns(newVpn.id));
  }, 180_000);

  it('re-creates the dependent after `compose up -d --no-deps vpn` replaced vpn following a change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ahtest-recreate-compose-'));
    dirs.push(dir);
    const file = join(dir, 'compose.yml');
    const project = `${NAME_PREFIX}rc${Date.now().toString(36)}`;
    const owner = `${OWNER_LABEL}: "${OWNER_VALUE}"\n      ${PID_LABEL}: "${process.pid}"`;
    await writeFile(
      file,
      [
        'version: "2.4"',
        'services:',
        '  vpn:',
        `    image: ${TEST_IMAGE}`,
        '    command: ["sleep", "3600"]',
        '    environment: ["REVISION=$REVISION"]',
        `    labels:\n      autoheal.dependents: recreate\n      ${LABEL_KEY}: "true"\n      ${owner}`,
        '  torrent:',
        `    image: ${TEST_IMAGE}`,
        '    command: ["sleep", "3600"]',
        '    network_mode: service:vpn',
        `    labels:\n      ${owner}`,
        '',
      ].join('\n'),
    );
    const cmd = await composeCommand();
    const compose = (revision: string, args: string[]) =>
      execFileAsync(cmd[0] as string, [...cmd.slice(1), '-p', project, '-f', file, ...args], {
        env: { ...process.env, REVISION: revision },
        timeout: 120_000,
      }).then((r) => r.stdout.trim());
    try {
      await compose('1', ['up', '-d']);
      const oldVpn = await compose('1', ['ps', '-q', 'vpn']);
      const torrentId = await compose('1', ['ps', '-q', 'torrent']);
      const torrentName = (await inspectByName(torrentId)).Name.replace(/^\//, '');
      const vpnName = (await inspectByName(oldVpn)).Name.replace(/^\//, '');
      await ah.waitForLog(
        (l) => l.json?.container === vpnName && l.json?.msg === 'container started',
        60_000,
        `autoheal to see ${vpnName} start`,
      );

      await compose('2', ['up', '-d', '--no-deps', 'vpn']);
      const newVpn = await compose('2', ['ps', '-q', 'vpn']);
      expect(newVpn).not.toBe(oldVpn);
      const event = await ah.waitForAudit(
        (e) => e.event_type === 'recreate' && e.container_name === torrentName,
        60_000,
        `a recreate event for ${torrentName}`,
      );
      expect(event).toMatchObject({
        status: 'success',
        details: { old_id: torrentId, dependency_id: newVpn },
      });
      const copy = await inspectByName(torrentName);
      adopt(copy.Id);
      expect(copy.HostConfig.NetworkMode).toBe(`container:${newVpn}`);
      expect(copy.Config.Labels).toMatchObject({ 'com.docker.compose.service': 'torrent' });
      expect(await netns(copy.Id)).toBe(await netns(newVpn));
    } finally {
      await compose('2', ['down', '-v', '-t', '1']).catch((err: Error) => console.error(err.message));
    }
  }, 300_000);

  it('puts the old dependent back and records the failure when its copy cannot be created', async () => {
    // A bind mount whose source vanishes: the running dependent keeps it, a copy is refused.
    const dir = await mkdtemp(join(tmpdir(), 'ahtest-recreate-'));
    dirs.push(dir);
    const { vpn, dep } = await vpnWithDependent({ mounts: [`type=bind,source=${dir},target=/cfg`] });
    const nsBefore = await netns(dep.id);
    await rm(dir, { recursive: true });

    await replace(vpn);
    const event = await ah.waitForAudit(
      (e) => e.event_type === 'recreate' && e.container_name === dep.name,
      60_000,
      `a recreate event for ${dep.name}`,
    );

    expect(event).toMatchObject({
      container_id: dep.id,
      status: 'failed',
      details: { step: 'create', restored: true },
    });
    expect(String(event.details.error)).toContain('bind source path does not exist');
    const old = await inspectByName(dep.name);
    expect(old.Id).toBe(dep.id);
    expect(old.State.Running).toBe(true);
    expect(await netns(dep.id)).toBe(nsBefore);
    const names = await docker(['ps', '-a', '--filter', `name=${dep.name}`, '--format', '{{.Names}}']);
    expect(names.split('\n')).toEqual([dep.name]);

    // The reconciles that follow (every 2 s) do not try it again and again.
    const seen = ah.logs.length;
    const start = Date.now();
    while (ah.logs.slice(seen).filter((l) => l.json?.msg === 'reconciled').length < 3) {
      if (Date.now() - start > 60_000)
        throw new Error(`no 3 reconciles within 60 s\n${await ah.diagnostics()}`);
      await sleep(200);
    }
    const failures = (await ah.readAudit()).filter(
      (e) => e.event_type === 'recreate' && e.container_name === dep.name,
    );
    expect(failures.map((e) => e.status)).toEqual(['failed']);
  }, 180_000);
});
