/**
 * The timelines in a real browser: the container page (`#/containers/<name>`) and the
 * Containers view's 24 h strips and restarts-per-hour chart, drawn by the UI as SVG from
 * the audit events of autoheal running on the real engine. The history of the last day is
 * written into the data directory before autoheal starts (the store's own segment format),
 * and a container that really fails its probe adds the live part: restarts, back-off, the
 * give-up. The run writes the screenshots in docs/screenshots (light, dark, phone).
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  removeAll,
  type TestContainer,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';
import { chromiumExecutable } from '../support/test-tools.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-sync'];
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
/**
 * Generous: a page is drawn once autoheal has listed the containers, which waits for the
 * engine, and the engine is shared with other test runs.
 */
const UI_TIMEOUT = 60_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
/** The fill of the first healthy band, evaluated in the page (this file has no DOM types). */
const HEALTHY_FILL = "getComputedStyle(document.querySelector('#view-container rect.tl-healthy')).fill";
const PROBE_TEXT = 'db: connection refused on 5432';

const labelKey = uniqueLabelKey();
/** Stays healthy; its last day is in the fixture. */
let steady: TestContainer;
/** Fails every probe: restarted, backed off, given up. */
let failing: TestContainer;
/** Restarts of a container that is gone, for the chart only. */
const gone = containerName('gone');
let ah: AutohealProcess;
let baseUrl: string;
let browser: Browser;
const pageProblems: string[] = [];

interface FixtureEvent {
  at: number;
  type: string;
  status: string;
  name: string;
  id: string | null;
  message: string;
  details?: Record<string, unknown>;
}

/** A day of one container's life, ending an hour before now, as the trail records it. */
function dayOf(c: { id: string | null; name: string }, now: number): FixtureEvent[] {
  const at = (hoursAgo: number, minutes = 0) => now - hoursAgo * HOUR + minutes * MIN;
  const e = (
    t: number,
    type: string,
    status: string,
    message: string,
    details: Record<string, unknown> = {},
  ) => ({
    at: t,
    type,
    status,
    name: c.name,
    id: c.id,
    message,
    details,
  });
  const health = (t: number, state: string, previous: string | null) =>
    e(t, 'health', state, `${c.name} is ${state}`, { previous, source: 'event' });
  const restart = (t: number, status: string, durationMs: number) =>
    e(t, 'restart', status, `Restarted ${c.name}`, { duration_ms: durationMs, trigger: 'event' });
  return [
    health(at(22), 'starting', null),
    health(at(22, 1), 'healthy', 'starting'),
    health(at(17), 'unhealthy', 'healthy'),
    e(at(17), 'unhealthy', 'detected', `${c.name} reported unhealthy by its healthcheck`, {
      health: { failing_streak: 1, log: [{ start: '', end: '', exit_code: 1, output: 'timeout\n' }] },
    }),
    restart(at(16, 40), 'success', 4000),
    health(at(16, 41), 'healthy', 'starting'),
    health(at(11), 'stopped', 'healthy'),
    health(at(10, 20), 'starting', 'stopped'),
    health(at(10, 21), 'healthy', 'starting'),
    health(at(5), 'unhealthy', 'healthy'),
    restart(at(5, 1), 'failed', 2000),
    restart(at(4, 30), 'success', 3000),
    health(at(4, 35), 'healthy', 'starting'),
  ];
}

/** Writes the events as the store's newest segment (see docs/STORE.md). */
async function writeHistory(dataDir: string, events: FixtureEvent[]): Promise<void> {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const restarts = new Map<string, number>();
  const stored = sorted.map((f, i) => {
    if (f.type === 'restart' && f.status === 'success') restarts.set(f.name, (restarts.get(f.name) ?? 0) + 1);
    return {
      id: i + 1,
      timestamp: new Date(f.at).toISOString(),
      event_type: f.type,
      container_id: f.id,
      container_name: f.name,
      status: f.status,
      restart_count: restarts.get(f.name) ?? 0,
      message: f.message,
      details: f.details ?? {},
    };
  });
  await mkdir(join(dataDir, 'events'), { recursive: true, mode: 0o700 });
  await writeFile(
    join(dataDir, 'events', 'segment-000000000001.json'),
    JSON.stringify({ version: 2, events: stored }),
    { mode: 0o600 },
  );
}

async function newPage(options: { width: number; height: number; dark?: boolean }): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const p = await context.newPage();
  p.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
  p.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      pageProblems.push(`console error: ${msg.text()}`);
    }
  });
  return p;
}

/** The states a strip draws, left to right, and its marker count. */
async function strip(p: Page, selector: string): Promise<{ states: string[]; markers: number }> {
  const locator = p.locator(selector).first();
  await locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return {
    states: ((await locator.getAttribute('data-states')) ?? '').split(' '),
    markers: Number(await locator.getAttribute('data-markers')),
  };
}

beforeAll(async () => {
  const executablePath = chromiumExecutable();
  steady = await createHealthContainer({ labels: { [labelKey]: 'true' } });
  failing = await createHealthContainer({
    labels: { [labelKey]: 'true', 'autoheal.max_restarts': '2' },
    healthCmd: `echo "${PROBE_TEXT}"; exit 1`,
  });
  await waitForHealth(steady, 'healthy', 20_000);
  const now = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'autoheal-e2e-'));
  await writeHistory(dataDir, [
    ...dayOf(steady, now),
    ...dayOf(failing, now).filter((e) => e.at < now - 10 * HOUR),
    // A container that is gone now: its restarts still count in the chart.
    ...[20, 19.5, 12, 12.2, 12.4, 3].map((h) => ({
      at: now - h * HOUR,
      type: 'restart',
      status: h === 12.2 ? 'failed' : 'success',
      name: gone,
      id: null,
      message: `Restarted ${gone}`,
      details: { duration_ms: 1000 },
    })),
    // More history than one page of the container page's list (50).
    ...Array.from({ length: 60 }, (_, i) => ({
      at: now - 2 * HOUR + i * MIN,
      type: 'skipped',
      status: 'not_running',
      name: gone,
      id: null,
      message: `Did not restart ${gone}: skip ${i + 1}`,
    })),
  ]);
  ah = await startAutoheal({
    dataDir,
    env: { AUTOHEAL_CONTAINER_LABEL: labelKey, AUTOHEAL_BACKOFF_INITIAL: '1', AUTOHEAL_BACKOFF_MAX: '2' },
  });
  baseUrl = await ah.apiUrl();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  await ah.waitForAudit(
    (e) => e.event_type === 'gave_up' && e.container_id === failing.id,
    90_000,
    `autoheal giving up on ${failing.name}`,
  );
});

afterAll(async () => {
  await browser?.close();
  await stopAllAutoheals();
  await removeAll();
});

describe('the timelines in a real browser', () => {
  it('the container page draws a day of health, the restarts, the damping state and the probe output', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await gotoUi(page, `${baseUrl}/#/containers/${failing.name}`);
    await expect
      .poll(() => page.locator('#container-title').textContent(), { timeout: UI_TIMEOUT })
      .toBe(failing.name);

    // From the fixture: healthy, unhealthy, restarting, healthy, stopped …; then the live
    // failure: unhealthy and restarting again after autoheal's real restarts.
    await expect
      .poll(async () => (await strip(page, '#view-container .health-strip')).states, { timeout: UI_TIMEOUT })
      .toEqual(expect.arrayContaining(['healthy', 'unhealthy', 'restarting', 'stopped', 'starting']));
    const { states, markers } = await strip(page, '#view-container .health-strip');
    expect(states[0]).toBe('unknown'); // nothing recorded before the first event, 22 h ago
    expect(markers).toBeGreaterThanOrEqual(3); // one from the fixture, two live
    expect(await page.locator('#view-container .health-strip rect.tl-restarting').count()).toBeGreaterThan(0);
    expect(await page.locator('#view-container .health-strip line.tl-restart').count()).toBe(markers);
    // Each band names itself in text on hover.
    expect(
      await page.locator('#view-container .health-strip rect.tl-unhealthy title').first().textContent(),
    ).toMatch(/^unhealthy /);

    await expect
      .poll(() => page.locator('#container-damping [data-key="restarts_in_window"]').textContent(), {
        timeout: UI_TIMEOUT,
      })
      .toMatch(/^\s*2 of 2/);
    expect(await page.locator('#container-damping [data-key="gave_up"]').textContent()).toMatch(/^\s*yes/);
    await expect
      .poll(() => page.locator('#container-probe').textContent(), { timeout: UI_TIMEOUT })
      .toContain(PROBE_TEXT);

    // The history: the live give-up above the fixture's restarts, newest first.
    await expect
      .poll(() => page.locator('#container-events li.event[data-type="gave_up"]').count(), {
        timeout: UI_TIMEOUT,
      })
      .toBe(1);
    const ids = await page
      .locator('#container-events li.event')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    await page.screenshot({ path: join(SCREENSHOTS, 'container.png') });
    await page.context().close();
  });

  it('a range of one hour leaves the fixture’s older day out', async () => {
    const page = await newPage({ width: 1280, height: 800 });
    await gotoUi(page, `${baseUrl}/#/containers/${steady.name}?range=1h`);
    await expect
      .poll(async () => (await strip(page, '#view-container .health-strip')).states, { timeout: UI_TIMEOUT })
      .toEqual(['healthy']);
    expect((await strip(page, '#view-container .health-strip')).markers).toBe(0);
    await page.click('#view-container .segmented a:has-text("24 hours")');
    await expect
      .poll(async () => (await strip(page, '#view-container .health-strip')).markers, { timeout: UI_TIMEOUT })
      .toBe(3); // two restarts and the failed one
    await page.context().close();
  });

  it('the page of a container that is gone shows its history, paged back', async () => {
    const page = await newPage({ width: 1280, height: 800 });
    await gotoUi(page, `${baseUrl}/#/containers/${gone}`);
    await expect
      .poll(() => page.locator('#container-message').textContent(), { timeout: UI_TIMEOUT })
      .toContain(`no container named ${gone}`);
    const rows = page.locator('#container-events li.event');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(50);
    await page.click('#container-older');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(66);
    expect(await page.locator('#container-older').isHidden()).toBe(true);
    const ids = await rows.evaluateAll((list) => list.map((r) => Number(r.getAttribute('data-id'))));
    expect(new Set(ids).size).toBe(66);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // Its strip: no health recorded, so no data but around its restarts, each a tick.
    const { states, markers } = await strip(page, '#view-container .health-strip');
    expect(new Set(states)).toEqual(new Set(['unknown', 'restarting']));
    expect(states.at(-1)).toBe('unknown');
    expect(markers).toBe(6);
    await page.context().close();
  });

  it('the Containers view shows a 24 h strip per container and the restarts per hour above them', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await gotoUi(page, `${baseUrl}/#/containers`);
    const chart = page.locator('figure.restarts-chart');
    await chart.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // Fixture: steady's 2 (and 1 failed), failing's 1 older than 10 h, the gone one's 5 (and
    // 1 failed); live: the failing container's 2.
    await expect
      .poll(() => chart.getAttribute('data-total'), { timeout: UI_TIMEOUT })
      .toBe(String(2 + 1 + 5 + 2));
    expect(await chart.getAttribute('data-failed')).toBe('2');
    expect(await chart.locator('g.rc-hour').count()).toBe(24);

    const row = page.locator(`#containers-body tr[data-name="${steady.name}"]`);
    await expect
      .poll(
        async () =>
          (await strip(page, `#containers-body tr[data-name="${steady.name}"] .health-strip`)).states,
        {
          timeout: UI_TIMEOUT,
        },
      )
      .toEqual([
        'unknown',
        'starting',
        'healthy',
        'unhealthy',
        'restarting',
        'healthy',
        'stopped',
        'starting',
        'healthy',
        'unhealthy',
        'restarting',
        'healthy',
      ]);
    // The name leads to the container page.
    await row.locator('a.container-name').click();
    await expect
      .poll(() => page.evaluate('location.hash'), { timeout: UI_TIMEOUT })
      .toBe(`#/containers/${steady.name}`);
    await gotoUi(page, `${baseUrl}/#/containers`);
    await chart.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.locator(`#containers-body tr[data-name="${steady.name}"] .health-strip`).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'containers-timeline.png') });
    await page.context().close();
  });

  it('reads in dark mode and on a phone', async () => {
    const dark = await newPage({ width: 1280, height: 900, dark: true });
    await gotoUi(dark, `${baseUrl}/#/containers/${failing.name}`);
    await dark.locator('#view-container .health-strip').waitFor({ timeout: UI_TIMEOUT });
    await dark.locator('#container-damping').waitFor({ timeout: UI_TIMEOUT });
    // The strip's colours follow the scheme: a healthy band is not the light theme's green.
    const darkGreen = await dark.evaluate(HEALTHY_FILL);
    await dark.screenshot({ path: join(SCREENSHOTS, 'container-dark.png') });
    await dark.context().close();

    const light = await newPage({ width: 1280, height: 800 });
    await gotoUi(light, `${baseUrl}/#/containers/${failing.name}`);
    await light.locator('#view-container rect.tl-healthy').first().waitFor({ timeout: UI_TIMEOUT });
    const lightGreen = await light.evaluate(HEALTHY_FILL);
    expect(darkGreen).not.toBe(lightGreen);
    await light.context().close();

    const phone = await newPage({ width: 390, height: 844 });
    await gotoUi(phone, `${baseUrl}/#/containers/${failing.name}`);
    await phone.locator('#container-damping').waitFor({ timeout: UI_TIMEOUT });
    const box = await phone.locator('#view-container .health-strip svg').boundingBox();
    expect(box?.width).toBeGreaterThan(250);
    // Nothing wider than the phone: the page does not scroll sideways.
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SCREENSHOTS, 'container-phone.png') });
    await phone.context().close();
  });

  it('caused no page error and no CSP refusal', () => {
    expect(pageProblems).toEqual([]);
  });
});
