/**
 * The web UI end to end: the built autoheal on the real engine, its page driven in
 * Debian's Chromium through playwright-core (never a downloaded browser). What an operator
 * sees and does: health changes, a heal appearing live, excluding a container with the
 * token, a wrong token, the engine banner. The run also writes the README's screenshots.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AutohealProcess,
  eventsFor,
  REPO_ROOT,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import { gotoUi } from '../support/browser.js';
import {
  containerName,
  createHealthContainer,
  docker,
  makeHealthy,
  makeUnhealthy,
  removeAll,
  sleep,
  startedAt,
  type TestContainer,
  uniqueLabelKey,
  waitForHealth,
} from '../support/docker-fixtures.js';
import { chromiumExecutable } from '../support/test-tools.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
/** Generous: a heal takes a health check (1 s), a reconcile (2 s) and a restart. */
const UI_TIMEOUT = 30_000;

const labelKey = uniqueLabelKey();
/** Excluded by configuration: shown read-only in the excluded view. */
const configExcluded = containerName('cfg');
let ah: AutohealProcess;
let baseUrl: string;
let token: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Page errors and CSP violations, reported by the browser; the UI must cause none. */
const pageProblems: string[] = [];

async function newPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
  p.on('console', (msg) => {
    // An answer of 401 or 503 is logged by Chromium as "Failed to load resource"; those are
    // expected here. Anything else (a CSP refusal, an exception) is a problem.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      pageProblems.push(`console error: ${msg.text()}`);
    }
  });
  return p;
}

function row(p: Page, c: TestContainer): Locator {
  return p.locator(`#containers-body tr[data-name="${c.name}"]`);
}

function eventRows(p: Page, c: TestContainer, type: string, status?: string): Locator {
  const selector = `#events-list li.event[data-type="${type}"]${status ? `[data-status="${status}"]` : ''}`;
  return p.locator(selector).filter({ has: p.locator('a.container-name', { hasText: c.name }) });
}

/** The event types listed, top to bottom. */
async function eventTypes(p: Page): Promise<string[]> {
  // A string is evaluated in the page (this file has no DOM types).
  return (await p.evaluate(
    "[...document.querySelectorAll('#events-list li.event')].map((r) => r.dataset.type)",
  )) as string[];
}

/** Waits until the row's health badge says `health` (the view polls and listens). */
async function expectHealth(p: Page, c: TestContainer, health: string): Promise<void> {
  await expect
    .poll(async () => row(p, c).getAttribute('data-health'), { timeout: UI_TIMEOUT, interval: 250 })
    .toBe(health);
}

async function excludedList(): Promise<string[]> {
  const res = await fetch(`${baseUrl}/api/config/excluded`);
  return ((await res.json()) as { excluded: string[] }).excluded;
}

async function enrolledHealthy(labels: Record<string, string> = {}): Promise<TestContainer> {
  const c = await createHealthContainer({ labels: { [labelKey]: 'true', ...labels } });
  await waitForHealth(c, 'healthy', 20_000);
  await ah.waitForAudit(
    (e) => e.event_type === 'auto_monitor' && e.container_id === c.id,
    20_000,
    `auto_monitor for ${c.name}`,
  );
  return c;
}

const isRestartOf = (c: TestContainer) => (e: AuditEvent) =>
  e.event_type === 'restart' && e.container_id === c.id;

beforeAll(async () => {
  const executablePath = chromiumExecutable();
  ah = await startAutoheal({
    env: { AUTOHEAL_CONTAINER_LABEL: labelKey, AUTOHEAL_INTERVAL: '2', AUTOHEAL_EXCLUDE: configExcluded },
  });
  baseUrl = await ah.apiUrl();
  token = await ah.token();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await newPage(context);
});

afterAll(async () => {
  await browser?.close();
  await stopAllAutoheals();
  await removeAll();
});

describe('the web UI in a real browser', () => {
  it('is served at / with a strict CSP, and explains how to enroll a container', async () => {
    const res = await gotoUi(page, `${baseUrl}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect
      .poll(() => page.locator('#live').getAttribute('data-state'), { timeout: UI_TIMEOUT })
      .toBe('live');
    // No container carries this run's label yet: the empty state names it.
    await expect
      .poll(() => page.locator('#containers-body .empty').textContent(), { timeout: UI_TIMEOUT })
      .toContain(`${labelKey}=true`);
    expect(await page.locator('#banner').isHidden()).toBe(true);
  });

  it('shows a container turning unhealthy and healthy again after the heal', async () => {
    // A grace period keeps it unhealthy long enough to be seen before autoheal acts.
    const c = await enrolledHealthy({ 'autoheal.grace': '6' });
    await page.goto(`${baseUrl}/#/containers`);
    await expectHealth(page, c, 'healthy');
    expect(await row(page, c).locator('.badge.state-monitored').count()).toBe(1);

    await makeUnhealthy(c);
    await expectHealth(page, c, 'unhealthy');
    expect(await row(page, c).locator('.health-cell').textContent()).toContain('unhealthy');

    await ah.waitForAudit(isRestartOf(c), 60_000, `the restart of ${c.name}`);
    await expectHealth(page, c, 'healthy');
    await expect
      .poll(() => row(page, c).locator('td[data-label="Restarts"]').textContent(), { timeout: UI_TIMEOUT })
      .toBe('1');
  });

  it('shows the restart event live in the events view, without a reload', async () => {
    const c = await enrolledHealthy();
    await page.goto(`${baseUrl}/#/events`);
    await expect
      .poll(() => page.locator('#live').getAttribute('data-state'), { timeout: UI_TIMEOUT })
      .toBe('live');
    await expect.poll(() => eventRows(page, c, 'auto_monitor').count(), { timeout: UI_TIMEOUT }).toBe(1);
    // A full reload would lose this; the restart must arrive through the stream.
    await page.evaluate('window.notReloaded = true');

    await makeUnhealthy(c);
    await expect
      .poll(() => eventRows(page, c, 'restart', 'success').count(), { timeout: 60_000, interval: 250 })
      .toBe(1);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    // Newest first: the restart sits above the unhealthy report that caused it.
    const types = await eventTypes(page);
    const restartAt = types.indexOf('restart');
    expect(restartAt).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('unhealthy', restartAt)).toBeGreaterThan(restartAt);
    // The absolute time is on hover.
    expect(await eventRows(page, c, 'restart').locator('time').getAttribute('title')).toMatch(/\d/);

    // The filters narrow the list to that container and type, through the URL hash.
    await page.selectOption('#events-type', 'restart');
    await page.fill('#events-container', c.name);
    await page.click('#events-filters button[type="submit"]');
    await expect
      .poll(() => page.evaluate('location.hash'), { timeout: UI_TIMEOUT })
      .toBe(`#/events?type=restart&container=${c.name}`);
    await expect.poll(() => eventTypes(page), { timeout: UI_TIMEOUT }).toEqual(['restart']);
    await page.click('#events-clear');
  });

  it('refuses a wrong token with a clear message, and changes nothing', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await newPage(fresh);
      const name = containerName('never');
      await gotoUi(p, `${baseUrl}/#/excluded`);
      await p.fill('#excluded-name', name);
      await p.click('#excluded-form button[type="submit"]');
      await p.locator('#token-dialog').waitFor({ state: 'visible' });
      await p.fill('#token-input', 'not-the-token');
      await p.click('#token-dialog button[type="submit"]');

      const message = p.locator('#excluded-message');
      await message.waitFor({ state: 'visible' });
      expect(await message.textContent()).toMatch(/token was not accepted.*Nothing was changed/);
      expect(await message.getAttribute('class')).toContain('error');
      expect(await excludedList()).not.toContain(name);
      expect(await p.locator(`#excluded-list li[data-name="${name}"]`).count()).toBe(0);
      const changes = (await ah.readAudit()).filter(
        (e) => e.event_type === 'config_change' && e.message.includes(name),
      );
      expect(changes).toEqual([]);
      // The wrong token is not kept: the next change asks again.
      expect(await p.evaluate("sessionStorage.getItem('autoheal.token')")).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('excludes a container with the token, so its next heal is skipped; including it heals it again', async () => {
    const c = await enrolledHealthy();
    const before = await startedAt(c);
    await page.goto(`${baseUrl}/#/containers`);
    await expectHealth(page, c, 'healthy');

    await row(page, c)
      .getByRole('button', { name: `Exclude ${c.name}` })
      .click();
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    await page.fill('#token-input', token);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#containers-message').textContent(), { timeout: UI_TIMEOUT })
      .toContain(`${c.name} is excluded`);
    expect(await excludedList()).toContain(c.name);
    await expect
      .poll(() => row(page, c).locator('.badge.state-excluded').count(), { timeout: UI_TIMEOUT })
      .toBe(1);

    await makeUnhealthy(c);
    await ah.waitForAudit(
      (e) => e.event_type === 'skipped' && e.status === 'excluded' && e.container_id === c.id,
      60_000,
      `skipped/excluded for ${c.name}`,
    );
    await page.goto(`${baseUrl}/#/events?container=${c.name}`);
    await expect
      .poll(() => eventRows(page, c, 'skipped', 'excluded').count(), { timeout: UI_TIMEOUT })
      .toBeGreaterThan(0);
    // A few more reconciles: still never restarted.
    await sleep(5000);
    expect(eventsFor(await ah.readAudit(), c.id).filter((e) => e.event_type === 'restart')).toEqual([]);
    expect(await startedAt(c)).toBe(before);

    // The token is kept for the session: including it back asks for nothing.
    await page.goto(`${baseUrl}/#/containers`);
    await row(page, c)
      .getByRole('button', { name: `Include ${c.name}` })
      .click();
    await ah.waitForAudit(isRestartOf(c), 60_000, `the restart of ${c.name} after it was included`);
    expect(await page.locator('#token-dialog').isVisible()).toBe(false);
    expect(await excludedList()).not.toContain(c.name);
    await makeHealthy(c).catch(() => undefined);
  });

  it("shows a restart the engine refuses as an error, in the engine's words", async () => {
    // A container in another's network namespace cannot start again once that one stopped.
    const parent = await createHealthContainer();
    // Its healthcheck may fail once the parent is gone: autoheal must only notify, not heal it.
    const c = await createHealthContainer({
      labels: { [labelKey]: 'true', 'autoheal.action': 'notify' },
      network: `container:${parent.id}`,
    });
    await waitForHealth(c, 'healthy', 20_000);
    await docker(['stop', '-t', '1', parent.id]);
    await page.goto(`${baseUrl}/#/containers`);
    const restart = row(page, c).getByRole('button', { name: 'Restart' });
    await expect.poll(() => restart.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
    page.once('dialog', (dialog) => void dialog.accept());
    await restart.click();
    const asked = await page
      .locator('#token-dialog')
      .waitFor({ state: 'visible', timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    if (asked) {
      await page.fill('#token-input', token);
      await page.keyboard.press('Enter');
    }
    const message = page.locator('#containers-message');
    await expect
      .poll(() => message.textContent(), { timeout: UI_TIMEOUT })
      .toMatch(new RegExp(`^Could not restart ${c.name}: the engine answered: .*cannot join network`));
    expect(await message.getAttribute('class')).toContain('error');
    const failed = await ah.waitForAudit(isRestartOf(c), 20_000, `the failed restart of ${c.name}`);
    expect(failed).toMatchObject({ status: 'failed', details: { trigger: 'api' } });
  });

  it('lists configuration entries read-only and API entries with a remove button', async () => {
    const name = containerName('debug');
    await page.goto(`${baseUrl}/#/excluded`);
    await page.fill('#excluded-name', name);
    await page.click('#excluded-form button[type="submit"]');
    await page.locator(`#excluded-list li[data-name="${name}"]`).waitFor({ timeout: UI_TIMEOUT });
    expect(await excludedList()).toContain(name);

    const cfg = page.locator(`#excluded-list li[data-name="${configExcluded}"]`);
    expect(await cfg.textContent()).toContain('from configuration');
    expect(await cfg.getByRole('button').count()).toBe(0);

    await page.getByRole('button', { name: `Remove ${name} from the excluded list` }).click();
    await page
      .locator(`#excluded-list li[data-name="${name}"]`)
      .waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    expect(await excludedList()).not.toContain(name);
  });

  it('asks for a token when reads need one, and keeps only an HttpOnly session cookie', async () => {
    const readToken = 'e2e-read-token-0123456789abcdef';
    const locked = await startAutoheal({
      env: {
        AUTOHEAL_CONTAINER_LABEL: uniqueLabelKey(),
        AUTOHEAL_API_READ_AUTH: 'true',
        AUTOHEAL_API_READ_TOKEN: readToken,
      },
    });
    const lockedUrl = await locked.apiUrl();
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const urls: string[] = [];
    try {
      const p = await newPage(fresh);
      p.on('request', (r) => urls.push(r.url()));
      await gotoUi(p, `${lockedUrl}/#/events`);
      await p.locator('#login-dialog').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await p.fill('#login-input', 'not-the-token-0123456789');
      await p.click('#login-dialog button[type="submit"]');
      await expect
        .poll(() => p.locator('#login-error').textContent(), { timeout: UI_TIMEOUT })
        .toContain('not accepted');
      expect(await p.locator('#login-dialog').isVisible()).toBe(true);

      await p.fill('#login-input', readToken);
      await p.keyboard.press('Enter');
      await p.locator('#login-dialog').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      // The stream is authenticated by the cookie: it goes live, and events are listed.
      await expect
        .poll(() => p.locator('#live').getAttribute('data-state'), { timeout: UI_TIMEOUT })
        .toBe('live');
      await expect
        .poll(() => p.locator('#events-list li.event[data-type="engine"]').count(), { timeout: UI_TIMEOUT })
        .toBeGreaterThan(0);
      expect(await p.locator('#logout').isVisible()).toBe(true);

      const session = (await fresh.cookies()).find((c) => c.name === 'autoheal_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(await p.evaluate('document.cookie')).toBe('');
      // The read token is kept nowhere in the page, and never went into a URL.
      expect(await p.evaluate("sessionStorage.getItem('autoheal.token')")).toBeNull();
      expect(urls.some((u) => u.includes(readToken))).toBe(false);
      expect(urls.some((u) => u.includes('/api/events/stream'))).toBe(true);

      // Without the cookie the same reads are refused.
      expect((await fetch(`${lockedUrl}/api/events`)).status).toBe(401);
    } finally {
      await fresh.close();
      await locked.stop();
    }
  });

  it('shows a banner when autoheal cannot reach the Docker engine', async () => {
    const cut = await startAutoheal({
      waitConnected: false,
      env: { DOCKER_SOCK: join(ah.dataDir, 'no-engine-here.sock'), AUTOHEAL_CONTAINER_LABEL: labelKey },
    });
    const p = await newPage(context);
    try {
      await gotoUi(p, `${await cut.apiUrl()}/#/containers`);
      const banner = p.locator('#banner');
      await banner.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      expect(await banner.textContent()).toContain('cannot reach the Docker engine');
    } finally {
      await p.close();
      await cut.stop();
    }
  });

  it("shows why a container was restarted, in the probe's own words, on its row and under the event", async () => {
    const text = 'ui-e2e: the cache is full';
    const c = await createHealthContainer({
      labels: { [labelKey]: 'true' },
      healthCmd: `echo '${text}'; test -f /tmp/healthy`,
    });
    await waitForHealth(c, 'healthy', 20_000);
    await makeUnhealthy(c);
    await ah.waitForAudit(isRestartOf(c), 60_000, `the restart of ${c.name}`);
    await page.goto(`${baseUrl}/#/containers`);
    await expect
      .poll(() => row(page, c).locator('.why').textContent(), { timeout: UI_TIMEOUT })
      .toBe(`why: ${text}`);
    await page.goto(`${baseUrl}/#/events?container=${encodeURIComponent(c.name)}`);
    await expect
      .poll(() => eventRows(page, c, 'restart').first().locator('.why').textContent(), {
        timeout: UI_TIMEOUT,
      })
      .toBe(`why: ${text}`);
    expect(await eventRows(page, c, 'unhealthy').first().locator('.why').textContent()).toBe(`why: ${text}`);
  });

  it('shows maintenance as a banner with the time left, and its End button ends it', async () => {
    const res = await fetch(`${baseUrl}/api/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ minutes: 45, reason: 'ui-e2e upgrade' }),
    });
    expect(res.status).toBe(200);
    await page.goto(`${baseUrl}/#/containers`);
    const banner = page.locator('#maintenance');
    await banner.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await page.locator('#maintenance-text').textContent()).toMatch(
      /^Maintenance until \S+.* \((45|44) min left\): ui-e2e upgrade\. autoheal records but does not restart anything\.$/,
    );
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'maintenance.png') });

    await page.getByRole('button', { name: 'End maintenance' }).click();
    const dialog = page.locator('#token-dialog');
    if (await dialog.isVisible()) {
      await page.fill('#token-input', token);
      await page.keyboard.press('Enter');
    }
    await banner.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    const after = (await (await fetch(`${baseUrl}/api/maintenance`)).json()) as { active: boolean };
    expect(after.active).toBe(false);
  });

  it('writes screenshots of the three views', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // An entry the operator added, next to the one from configuration.
    const res = await fetch(`${baseUrl}/api/config/excluded`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'batch-*' }),
    });
    expect(res.status).toBe(201);
    const shots = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const p = await newPage(shots);
      const filled = {
        containers: '#containers-body tr',
        events: '#events-list li',
        excluded: '#excluded-list li',
      };
      for (const [view, content] of Object.entries(filled)) {
        await gotoUi(p, `${baseUrl}/#/${view}`);
        await p.locator(`#view-${view}`).waitFor({ state: 'visible' });
        await p.locator(content).first().waitFor({ timeout: UI_TIMEOUT });
        await expect
          .poll(() => p.locator('#live').getAttribute('data-state'), { timeout: UI_TIMEOUT })
          .toBe('live');
        await sleep(500);
        await p.screenshot({ path: join(SCREENSHOTS, `${view}.png`) });
      }
    } finally {
      await shots.close();
    }
  });

  it('caused no page error and no CSP violation', () => {
    expect(pageProblems).toEqual([]);
  });
});
