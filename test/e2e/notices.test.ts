/**
 * Notifications about autoheal itself and the per-container mute, end to end with a local
 * webhook receiver: the start-up message, `autoheal.notify=false` on a real container, the
 * store made unwritable (its events directory replaced by a file) and the engine out of
 * reach for over a minute, each told once and its recovery once.
 */

import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AutohealProcess, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import {
  createHealthContainer,
  makeUnhealthy,
  removeAll,
  sleep,
  uniqueLabelKey,
} from '../support/docker-fixtures.js';

/** A local webhook receiver collecting the messages (`text`). */
async function receiver() {
  const messages: string[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => {
      messages.push(String((JSON.parse(text || '{}') as { text?: unknown }).text));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitForMessage(messages: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = messages.find((m) => pattern.test(m));
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no webhook message matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(messages)}`,
      );
    await sleep(200);
  }
}

let hook: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  hook = await receiver();
});

afterAll(async () => {
  await stopAllAutoheals();
  await removeAll();
  await hook.close();
});

describe('notifications about autoheal itself, on a real engine', () => {
  const labelKey = uniqueLabelKey();
  let ah: AutohealProcess;

  it('AUTOHEAL_NOTIFY_STARTUP=true sends one message when autoheal starts', async () => {
    ah = await startAutoheal({
      env: {
        AUTOHEAL_CONTAINER_LABEL: labelKey,
        AUTOHEAL_INTERVAL: '2',
        AUTOHEAL_HOSTNAME: 'e2e-host',
        AUTOHEAL_NOTIFY_STARTUP: 'true',
        WEBHOOK_URL: hook.url,
      },
    });
    const started = await waitForMessage(hook.messages, /started/, 10_000);
    expect(started).toMatch(
      new RegExp(
        `^\\[e2e-host\\] autoheal \\S+ started: monitoring containers labelled ${labelKey.replace('.', '\\.')}=true, reconciling every 2 s$`,
      ),
    );
  });

  it('a container labelled autoheal.notify=false is restarted without a message; another is announced', async () => {
    const muted = await createHealthContainer({ labels: { [labelKey]: 'true', 'autoheal.notify': 'false' } });
    const loud = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    await ah.waitUntilAudit(
      (events) =>
        [muted, loud].every((c) =>
          events.some((e) => e.event_type === 'health' && e.status === 'healthy' && e.container_id === c.id),
        ),
      30_000,
      'both healthy',
    );
    await Promise.all([makeUnhealthy(muted), makeUnhealthy(loud)]);
    for (const c of [muted, loud])
      await ah.waitForAudit(
        (e) => e.event_type === 'restart' && e.status === 'success' && e.container_id === c.id,
        30_000,
        `the restart of ${c.name}`,
      );
    await waitForMessage(hook.messages, new RegExp(`Restarted ${loud.name} `), 10_000);
    await sleep(1_000);
    expect(hook.messages.filter((m) => m.includes(muted.name))).toEqual([]);
  });

  it('a store that cannot be written is told once, and again when it can', async () => {
    const events = join(ah.dataDir, 'events');
    await rename(events, `${events}.aside`);
    await writeFile(events, 'not a directory');
    // Something to write: a newly enrolled container.
    const late = await createHealthContainer({ labels: { [labelKey]: 'true' } });
    const down = await waitForMessage(hook.messages, /cannot write its store/, 30_000);
    expect(down).toContain(ah.dataDir);
    await sleep(12_000); // two write retries, two looks: no second message
    expect(hook.messages.filter((m) => /cannot write its store/.test(m))).toHaveLength(1);
    await rm(events);
    await rename(`${events}.aside`, events);
    const back = await waitForMessage(hook.messages, /can write its store .* again/, 30_000);
    expect(back).toContain(ah.dataDir);
    expect(ah.isRunning()).toBe(true);
    // What was recorded during the outage reached the disk with the write that succeeded.
    await ah.waitForAudit(
      (e) => e.event_type === 'auto_monitor' && e.container_id === late.id,
      10_000,
      `auto_monitor of ${late.name}, recorded while the store was unwritable`,
    );
  });
});

describe('the engine out of reach for longer than AUTOHEAL_ENGINE_NOTICE_AFTER', () => {
  it('is told once, and again when the engine answers', async () => {
    // A socket path with nothing behind it; later a link to the real engine's socket.
    const dir = await mkdtemp(join(tmpdir(), 'autoheal-sock-'));
    await mkdir(dir, { recursive: true });
    const sock = join(dir, 'docker.sock');
    const ah = await startAutoheal({
      waitConnected: false,
      env: {
        DOCKER_SOCK: sock,
        WEBHOOK_URL: hook.url,
        AUTOHEAL_HOSTNAME: 'e2e-outage',
        // 60 s by default; the rule is the same, the test waits less.
        AUTOHEAL_ENGINE_NOTICE_AFTER: '15',
      },
    });
    const mine = () => hook.messages.filter((m) => m.startsWith('[e2e-outage]'));
    await sleep(8_000); // well inside the 15 s, even when the start-up was slow
    expect(mine(), 'told before its time was up').toEqual([]);
    const down = await waitForMessage(
      hook.messages,
      /^\[e2e-outage\] autoheal cannot reach the Docker engine/,
      30_000,
    );
    expect(down).toContain(sock);
    await symlink('/var/run/docker.sock', sock);
    // The reconnect back-off is at most 30 s.
    const back = await waitForMessage(
      hook.messages,
      /^\[e2e-outage\] autoheal reaches the Docker engine again/,
      45_000,
    );
    expect(back).toMatch(/after \d+ s without it/);
    expect(mine()).toEqual([down, back]);
    await ah.stop();
    await rm(dir, { recursive: true, force: true });
  }, 180_000);
});
