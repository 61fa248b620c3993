/**
 * One view of a fleet, end to end: two Docker engines on this machine (the shared one and a
 * second dockerd started for this file) and one autoheal per engine, each a peer of the
 * other, reads behind a token (AUTOHEAL_API_READ_AUTH=true), each reading the other with
 * the other's read-only token. A container made unhealthy on the second
 * engine is healed by the second autoheal and shows up, with its host, in the first one's
 * fleet views, its merged stream and its browser UI; when the second autoheal stops, the
 * first shows it as down within seconds and keeps healing its own containers. The second
 * engine is stopped by its pidfile and removed with its bridge and directories, even when
 * a test fails.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitUntil } from '../support/autoheal-image.js';
import {
  type AutohealProcess,
  REPO_ROOT,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import { gotoUi } from '../support/browser.js';
import {
  containerName,
  createHealthContainer,
  OWNER_LABEL,
  OWNER_VALUE,
  removeAll,
  TEST_IMAGE,
  uniqueLabelKey,
} from '../support/docker-fixtures.js';
import { copyImage, type SecondEngine, startSecondEngine } from '../support/dockerd.js';
import { openAuditStream, type SseClient } from '../support/sse-client.js';
import { chromiumExecutable } from '../support/test-tools.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
];
const HEAL_TIMEOUT = 45_000;

interface FleetHost {
  host: string;
  url: string;
  ok: boolean;
  error: string | null;
  self: boolean;
  version: string | null;
  counts: { containers: number; monitored: number; unhealthy: number; given_up: number } | null;
}
interface Hosted {
  host: string;
  name?: string;
  container_name?: string | null;
  event_type?: string;
  status?: string;
}

const run = randomBytes(2).toString('hex');
const alpha = `alpha-${run}`;
const beta = `beta-${run}`;
const labelKey = uniqueLabelKey();
let engine: SecondEngine | null = null;
let a: AutohealProcess;
let b: AutohealProcess;
let aUrl: string;
let stream: SseClient | null = null;
let browser: Browser | null = null;
const unhealthyOnB = containerName('on-b');

/** Reads need a token here (AUTOHEAL_API_READ_AUTH=true): the test reads the first host with its read token. */
let readA = '';
async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${readA}` },
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A page of the first host's UI, logged in with its read token (reads need one here). */
async function openUi(b: Browser, path: string): Promise<Page> {
  const page = await b.newPage();
  await gotoUi(page, `${aUrl}${path}`);
  await page.locator('#login-dialog').waitFor({ state: 'visible', timeout: 10_000 });
  await page.fill('#login-input', readA);
  await page.click('#login-dialog button[type="submit"]');
  await page.locator('#login-dialog').waitFor({ state: 'hidden', timeout: 10_000 });
  return page;
}

async function fleetHosts(): Promise<FleetHost[]> {
  return (await getJson<{ hosts: FleetHost[] }>(`${aUrl}/api/fleet`)).hosts;
}

beforeAll(async () => {
  engine = await startSecondEngine();
  await copyImage(engine, TEST_IMAGE);
  const [portA, portB] = [await freePort(), await freePort()];
  const [tokenA, tokenB] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  readA = randomBytes(16).toString('hex');
  const readB = randomBytes(16).toString('hex');
  // Reads need a token; each reads the other with the other's read-only token.
  const common = {
    AUTOHEAL_CONTAINER_LABEL: labelKey,
    AUTOHEAL_INTERVAL: '2',
    LOG_LEVEL: 'debug',
    AUTOHEAL_API_READ_AUTH: 'true',
  };
  a = await startAutoheal({
    env: {
      ...common,
      DOCKER_SOCK: '/var/run/docker.sock',
      AUTOHEAL_HOSTNAME: alpha,
      AUTOHEAL_API_PORT: String(portA),
      AUTOHEAL_API_TOKEN: tokenA,
      AUTOHEAL_API_READ_TOKEN: readA,
      AUTOHEAL_PEERS: `http://127.0.0.1:${portB}`,
      AUTOHEAL_PEER_TOKEN: readB,
    },
  });
  b = await startAutoheal({
    env: {
      ...common,
      DOCKER_SOCK: engine.socket,
      DOCKER_HOST: engine.dockerHost,
      AUTOHEAL_HOSTNAME: beta,
      AUTOHEAL_API_PORT: String(portB),
      AUTOHEAL_API_TOKEN: tokenB,
      AUTOHEAL_API_READ_TOKEN: readB,
      AUTOHEAL_PEERS: `http://127.0.0.1:${portA}`,
      AUTOHEAL_PEER_TOKEN: readA,
    },
  });
  aUrl = await a.apiUrl();
});

afterAll(async () => {
  stream?.close();
  await browser?.close();
  await stopAllAutoheals();
  await removeAll();
  await engine?.destroy();
});

describe('one view of two hosts', () => {
  it('lists both hosts, each as it names itself, with its version and counts', async () => {
    const hosts = await waitUntil(
      async () => {
        const h = await fleetHosts();
        return h.length === 2 && h.every((x) => x.ok) ? h : undefined;
      },
      20_000,
      'both hosts up in the fleet view',
    );
    expect(hosts.map((h) => [h.host, h.self])).toEqual([
      [alpha, true],
      [beta, false],
    ]);
    expect(hosts[1]?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(hosts[1]?.counts).toMatchObject({ monitored: 0, given_up: 0 });
  });

  it('a container healed on the second engine shows up with its host in the first one’s views and stream', async () => {
    stream = await openAuditStream(`${aUrl}/api/fleet/events/stream`, undefined, {
      Authorization: `Bearer ${readA}`,
    });
    const id = (
      await engine?.docker([
        'run',
        '-d',
        '--name',
        unhealthyOnB,
        '--label',
        `${labelKey}=true`,
        '--label',
        `${OWNER_LABEL}=${OWNER_VALUE}`,
        '--health-cmd',
        'test -f /tmp/healthy',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        TEST_IMAGE,
        'sh',
        '-c',
        'trap "exit 0" TERM; touch /tmp/healthy; while :; do sleep 3600 & wait $!; done',
      ])
    )?.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await waitUntil(
      async () =>
        (await getJson<{ containers: Hosted[] }>(`${aUrl}/api/fleet/containers`)).containers.find(
          (c) => c.host === beta && c.name === unhealthyOnB,
        ),
      20_000,
      `${unhealthyOnB} listed with host ${beta}`,
    );
    await engine?.docker(['exec', unhealthyOnB, 'rm', '-f', '/tmp/healthy']);
    // Healed by its own host's autoheal…
    await b.waitForAudit(
      (e) => e.event_type === 'restart' && e.status === 'success' && e.container_name === unhealthyOnB,
      HEAL_TIMEOUT,
      `the second autoheal restarting ${unhealthyOnB}`,
    );
    // …and seen from the first: merged list, live stream, each item with its host.
    const events = await waitUntil(
      async () => {
        const body = await getJson<{ events: Hosted[] }>(
          `${aUrl}/api/fleet/events?container=${unhealthyOnB}`,
        );
        return body.events.some((e) => e.event_type === 'restart') ? body.events : undefined;
      },
      10_000,
      'the restart in the fleet events',
    );
    expect(events.every((e) => e.host === beta)).toBe(true);
    const live = (await stream.waitFor(
      (e) => e.event_type === 'restart' && e.container_name === unhealthyOnB,
      10_000,
      'the restart on the fleet stream',
    )) as unknown as Hosted;
    expect(live.host).toBe(beta);
    expect((await a.readAudit()).some((e) => e.container_name === unhealthyOnB)).toBe(false);
  });

  it('the browser’s Fleet view shows both hosts and the other host’s containers with their host', async () => {
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
    const page = await openUi(browser, '/');
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await expect.poll(() => page.locator('#fleet-tab').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.click('a[data-view="fleet"]');
    await expect.poll(() => page.locator('#fleet-hosts .host-card').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator(`.host-card[data-host="${beta}"]`).getAttribute('data-state')).toBe('up');
    const row = page.locator(`#fleet-containers tr[data-host="${beta}"][data-name="${unhealthyOnB}"]`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await expect
      .poll(() => page.locator(`#fleet-events li[data-host="${beta}"][data-type="restart"]`).count(), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await page.selectOption('#fleet-host', alpha);
    expect(await row.count()).toBe(0);
    // The shared engine holds other people's containers: the screenshot shows the second host's.
    await page.selectOption('#fleet-host', beta);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(REPO_ROOT, 'docs', 'screenshots', 'fleet.png') });
    await page.selectOption('#fleet-host', '');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('when the second autoheal stops, the first shows it down within seconds and keeps healing', async () => {
    expect(await b.stop()).toBe(0);
    const down = await waitUntil(
      async () => (await fleetHosts()).find((h) => h.host !== alpha && !h.ok),
      8_000,
      'the stopped host shown as down',
    );
    expect(down.error).toMatch(/ECONNREFUSED|cannot reach/);
    const [self] = await fleetHosts();
    expect(self).toMatchObject({ host: alpha, ok: true });

    if (browser) {
      const page = await openUi(browser, '/#/fleet');
      await expect
        .poll(() => page.locator('.host-card[data-state="down"]').count(), { timeout: 10_000 })
        .toBe(1);
      expect(await page.locator('#fleet-containers [data-down-host]').count()).toBe(1);
      await page.close();
    }

    // Unhealthy from its first start (healthy after a restart): only a heal makes it well.
    const mine = await createHealthContainer({ labels: { [labelKey]: 'true' }, healthy: false });
    await a.waitForAudit(
      (e) => e.event_type === 'restart' && e.status === 'success' && e.container_id === mine.id,
      HEAL_TIMEOUT,
      'the first autoheal healing its own container while its peer is down',
    );
  });
});
