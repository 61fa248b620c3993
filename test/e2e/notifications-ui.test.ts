/**
 * The web UI's notification test, in Debian's Chromium through playwright-core: the button
 * sends a test message through every configured channel (a webhook this test receives, and
 * an Apprise endpoint that refuses) and the page shows each channel's own result.
 */
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AutohealProcess,
  REPO_ROOT,
  startAutoheal,
  stopAllAutoheals,
} from '../support/autoheal-process.js';
import { gotoUi } from '../support/browser.js';
import { uniqueLabelKey } from '../support/docker-fixtures.js';
import { chromiumExecutable } from '../support/test-tools.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'];
const UI_TIMEOUT = 30_000;
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

interface Receiver {
  url: string;
  received: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** A local HTTP receiver answering every request with `status`. */
async function receiver(status: number): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text || '{}') as Record<string, unknown> });
      res.writeHead(status).end(status === 200 ? 'ok' : 'refused');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let webhook: Receiver;
let apprise: Receiver;
let ah: AutohealProcess;
let browser: Browser;
const pageProblems: string[] = [];

beforeAll(async () => {
  const executablePath = chromiumExecutable();
  webhook = await receiver(200);
  apprise = await receiver(500);
  ah = await startAutoheal({
    env: {
      AUTOHEAL_CONTAINER_LABEL: uniqueLabelKey(),
      WEBHOOK_URL: `${webhook.url}/hooks/ui-test`,
      APPRISE_URL: `${apprise.url}/notify`,
    },
  });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await stopAllAutoheals();
  await webhook?.close();
  await apprise?.close();
});

describe('the notification test in the web UI', () => {
  it("sends a test message through every channel and shows each channel's result", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    await gotoUi(page, `${await ah.apiUrl()}/#/containers`);
    await page.getByRole('button', { name: 'Send a test notification' }).click();
    // A change: the token is asked for once.
    await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.fill('#token-input', await ah.token());
    await page.keyboard.press('Enter');

    const webhookRow = page.locator('#notify-results li[data-channel="webhook"]');
    const appriseRow = page.locator('#notify-results li[data-channel="apprise"]');
    await webhookRow.waitFor({ timeout: UI_TIMEOUT });
    expect(await webhookRow.getAttribute('data-ok')).toBe('true');
    expect(await webhookRow.textContent()).toContain('sent');
    expect(await appriseRow.getAttribute('data-ok')).toBe('false');
    expect(await appriseRow.textContent()).toMatch(/failed.*500/);
    const message = page.locator('#notify-message');
    expect(await message.textContent()).toContain('failed on 1 of 2 channels');
    expect(await message.getAttribute('class')).toContain('error');

    await mkdir(SCREENSHOTS, { recursive: true });
    await page.locator('footer').screenshot({ path: join(SCREENSHOTS, 'notification-test.png') });

    // Each receiver got exactly one test message.
    expect(webhook.received.map((r) => r.path)).toEqual(['/hooks/ui-test']);
    expect(apprise.received.map((r) => r.path)).toEqual(['/notify']);
    expect(pageProblems).toEqual([]);
  });
});
