import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import type { Logger } from '../../../src/log.js';
import { MetricsRegistry } from '../../../src/metrics.js';
import { formatNotification, type Notification, Notifier } from '../../../src/notify/notifier.js';

const ID = '3f2a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff';
const SHORT = '3f2a1b2c3d4e';

interface Received {
  path: string;
  authorization?: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** What the receiver does with the n-th request (0-based): answer a status, or never answer. */
type Behaviour = (n: number) => number | 'hang' | { redirect: number; location: string };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real HTTP receiver on loopback; `arrived` counts requests whose body was fully read. */
async function receiver(behaviour: Behaviour = () => 200) {
  const received: Received[] = [];
  let arrived = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = arrived++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        path: req.url ?? '',
        ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
        contentType: req.headers['content-type'],
        body: JSON.parse(text),
      });
      const what = behaviour(n);
      if (what === 'hang') return;
      if (typeof what === 'object') {
        res.writeHead(what.redirect, { location: what.location }).end();
        return;
      }
      res.writeHead(what, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    get requests() {
      return arrived;
    },
  };
}

/** Linux: true while `pid` runs (a zombie no longer counts). */
async function processAlive(pid: string): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A logger whose JSON lines are kept, to assert what was (and was not) written. */
function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const raw = () => chunks.join('');
  return {
    logger,
    raw,
    get lines() {
      return raw()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

function setup(
  env: Record<string, string>,
  options: { timeoutMs?: number; retryDelayMs?: number; scriptTimeoutMs?: number; fetch?: typeof fetch } = {},
) {
  const settings = loadSettings({
    env: { AUTOHEAL_DATA_DIR: '/nonexistent', AUTOHEAL_HOSTNAME: 'myhost', ...env },
  });
  const metrics = new MetricsRegistry();
  const log = capturedLogger();
  const notifier = new Notifier({
    settings,
    logger: log.logger,
    metrics,
    timeoutMs: options.timeoutMs ?? 2_000,
    retryDelayMs: options.retryDelayMs ?? 20,
    ...(options.scriptTimeoutMs !== undefined ? { scriptTimeoutMs: options.scriptTimeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  cleanups.push(() => notifier.drain(5_000));
  const count = async (channel: string, result: string) => {
    const line = (await metrics.render())
      .split('\n')
      .find((l) => l.startsWith(`autoheal_notifications_total{channel="${channel}",result="${result}"}`));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };
  return { notifier, metrics, log, count };
}

const restarted: Notification = {
  kind: 'restart',
  containerName: 'web',
  containerId: ID,
  reason: 'health_status: unhealthy',
  durationMs: 412,
  stopTimeoutS: 10,
};

describe('the notification message', () => {
  it('names the host, the container, its short id, what happened and why', () => {
    const f = (n: Partial<Notification> & Pick<Notification, 'kind'>) =>
      formatNotification({ ...restarted, durationMs: undefined, ...n }, 'myhost');
    expect(f({ kind: 'restart', durationMs: 412.4 })).toBe(
      `[myhost] Restarted web (${SHORT}) after health_status: unhealthy in 412 ms`,
    );
    expect(f({ kind: 'restart_failed', error: 'Cannot restart container web:\n  OCI runtime error' })).toBe(
      `[myhost] Restart of web (${SHORT}) failed: Cannot restart container web: OCI runtime error (reason: health_status: unhealthy)`,
    );
    expect(f({ kind: 'gave_up', reason: '10 restarts in 3600 s' })).toBe(
      `[myhost] Gave up on web (${SHORT}): 10 restarts in 3600 s`,
    );
    expect(f({ kind: 'stop', durationMs: 1500 })).toBe(
      `[myhost] Stopped web (${SHORT}) after health_status: unhealthy in 1500 ms`,
    );
    expect(f({ kind: 'stop_failed', error: 'timeout' })).toBe(
      `[myhost] Stop of web (${SHORT}) failed: timeout (reason: health_status: unhealthy)`,
    );
    expect(f({ kind: 'unhealthy_notify' })).toBe(
      `[myhost] web (${SHORT}) reported health_status: unhealthy; left running (autoheal.action=notify)`,
    );
    expect(f({ kind: 'dependent_restart', containerName: 'app', reason: 'vpn was restarted' })).toBe(
      `[myhost] Restarted dependent app (${SHORT}) after vpn was restarted`,
    );
    expect(
      f({
        kind: 'dependent_restart',
        containerName: 'app',
        reason: 'vpn was restarted',
        error: 'no such container',
      }),
    ).toBe(
      `[myhost] Restart of dependent app (${SHORT}) failed: no such container (reason: vpn was restarted)`,
    );
  });

  it('cuts a very long engine error to one short line', () => {
    const text = formatNotification({ ...restarted, kind: 'restart_failed', error: 'x'.repeat(5_000) }, 'h');
    expect(text.length).toBeLessThan(700);
    expect(text).toContain('…');
  });
});

describe('the webhook and Apprise channels', () => {
  it('a local receiver gets the webhook payload under the configured key and the Apprise payload', async () => {
    const hook = await receiver();
    const apprise = await receiver();
    const { notifier, count } = setup({
      WEBHOOK_URL: `${hook.base}/hook`,
      WEBHOOK_JSON_KEY: 'content',
      APPRISE_URL: `${apprise.base}/notify/apprise`,
    });

    notifier.notify({ ...restarted, kind: 'restart_failed', error: 'container is marked for removal' });
    await notifier.drain(5_000);

    const message = `[myhost] Restart of web (${SHORT}) failed: container is marked for removal (reason: health_status: unhealthy)`;
    expect(hook.received).toEqual([
      { path: '/hook', contentType: 'application/json', body: { content: message } },
    ]);
    expect(apprise.received).toEqual([
      {
        path: '/notify/apprise',
        contentType: 'application/json',
        body: { title: 'Autoheal', body: message },
      },
    ]);
    expect(await count('webhook', 'sent')).toBe(1);
    expect(await count('apprise', 'sent')).toBe(1);
    expect((await count('webhook', 'failed')) + (await count('apprise', 'failed'))).toBe(0);
    expect(notifier.pending()).toBe(0);
  });

  it('the webhook key defaults to `text`, as willfarrell/docker-autoheal sends it', async () => {
    const hook = await receiver();
    const { notifier } = setup({ WEBHOOK_URL: `${hook.base}/` });
    notifier.notify({ ...restarted, kind: 'gave_up', reason: '10 restarts in 3600 s' });
    await notifier.drain(5_000);
    expect(hook.received.map((r) => r.body)).toEqual([
      { text: `[myhost] Gave up on web (${SHORT}): 10 restarts in 3600 s` },
    ]);
  });

  it('a receiver that answers 500 once, then 200, gets exactly two attempts, counted as sent', async () => {
    const hook = await receiver((n) => (n === 0 ? 500 : 200));
    const { notifier, count, log } = setup({ WEBHOOK_URL: `${hook.base}/hook` });

    notifier.notify(restarted);
    await notifier.drain(5_000);

    expect(hook.requests).toBe(2);
    expect(hook.received[0]?.body).toEqual(hook.received[1]?.body);
    expect(await count('webhook', 'sent')).toBe(1);
    expect(await count('webhook', 'failed')).toBe(0);
    expect(log.lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('a receiver that always fails gets two attempts, is counted failed and logged once, by host only', async () => {
    const hook = await receiver(() => 503);
    const { notifier, count, log } = setup({
      WEBHOOK_URL: `${hook.base}/services/T000/B000/SECRETPATH?token=QUERYSECRET`,
    });

    notifier.notify(restarted);
    await notifier.drain(5_000);

    expect(hook.requests).toBe(2);
    expect(await count('webhook', 'failed')).toBe(1);
    expect(await count('webhook', 'sent')).toBe(0);
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      component: 'notify',
      container: 'web',
      container_id: SHORT,
      channel: 'webhook',
      target: `${hook.base}/***`,
      status: 503,
      attempts: 2,
    });
    // Not in the warning, nor in any debug line about the first attempt.
    expect(log.raw()).not.toContain('SECRETPATH');
    expect(log.raw()).not.toContain('QUERYSECRET');
    expect(log.raw()).not.toContain('/services/');
  });

  it('an unreachable receiver is retried once, counted failed, and its URL secret stays out of the log', async () => {
    const gone = await receiver();
    const url = `${gone.base}/hook/SECRETPATH`;
    await cleanups.pop()?.(); // closes the receiver: its port now refuses connections
    const { notifier, count, log } = setup({ APPRISE_URL: url });

    notifier.notify(restarted);
    await notifier.drain(5_000);

    expect(await count('apprise', 'failed')).toBe(1);
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: 'apprise', target: `${gone.base}/***`, attempts: 2 });
    expect(String(warnings[0]?.error)).toMatch(/ECONNREFUSED/);
    expect(log.raw()).not.toContain('SECRETPATH');
  });

  it('a receiver that never answers does not delay the caller; the delivery times out and is counted failed', async () => {
    const hook = await receiver(() => 'hang');
    const { notifier, count } = setup(
      { WEBHOOK_URL: `${hook.base}/hook` },
      { timeoutMs: 150, retryDelayMs: 10 },
    );

    const returned = notifier.notify(restarted);

    // notify() gave nothing to await and came back before the receiver even saw the request.
    expect(returned).toBeUndefined();
    expect(hook.requests).toBe(0);
    expect(notifier.pending()).toBe(1);

    await notifier.drain(5_000);
    expect(notifier.pending()).toBe(0);
    expect(hook.requests).toBe(2);
    expect(await count('webhook', 'failed')).toBe(1);
    expect(await count('webhook', 'sent')).toBe(0);
  });

  it('drain() gives up at its deadline while a delivery is still running', async () => {
    const hook = await receiver(() => 'hang');
    const { notifier } = setup({ WEBHOOK_URL: `${hook.base}/hook` }, { timeoutMs: 400, retryDelayMs: 10 });
    notifier.notify(restarted);
    await notifier.drain(100);
    expect(notifier.pending()).toBe(1);
  });

  it('a fetch that throws at once is a failed delivery, not an exception for the caller', async () => {
    const boom: typeof fetch = () => {
      throw new TypeError('boom');
    };
    const { notifier, count } = setup({ WEBHOOK_URL: 'http://127.0.0.1:9/hook' }, { fetch: boom });
    expect(() => notifier.notify(restarted)).not.toThrow();
    await notifier.drain(5_000);
    expect(await count('webhook', 'failed')).toBe(1);
  });

  it('a redirect is a failed delivery: not followed, not retried, logged by scheme and host only', async () => {
    const elsewhere = await receiver();
    const hook = await receiver(() => ({
      redirect: 307,
      location: `${elsewhere.base}/containers/victim/stop`,
    }));
    const { notifier, count, log } = setup({ WEBHOOK_URL: `${hook.base}/hook/SECRETPATH` });

    notifier.notify(restarted);
    await notifier.drain(5_000);

    expect(hook.requests).toBe(1);
    expect(elsewhere.requests).toBe(0);
    expect(await count('webhook', 'failed')).toBe(1);
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: 'webhook', target: `${hook.base}/***`, status: 307 });
    expect(String(warnings[0]?.msg)).toMatch(/redirect/);
    expect(log.raw()).not.toContain('SECRETPATH');
  });

  it('user-info in the URL becomes an Authorization: Basic header and is never logged', async () => {
    const hook = await receiver((n) => (n === 0 ? 500 : 200));
    const { notifier, count, log } = setup({
      APPRISE_URL: `${hook.base.replace('//', '//bot:p%40ssw0rd@')}/notify`,
    });

    notifier.notify(restarted);
    await notifier.drain(5_000);

    expect(await count('apprise', 'sent')).toBe(1);
    expect(hook.received.map((r) => r.authorization)).toEqual([
      `Basic ${Buffer.from('bot:p@ssw0rd').toString('base64')}`,
      `Basic ${Buffer.from('bot:p@ssw0rd').toString('base64')}`,
    ]);
    expect(hook.received[0]?.path).toBe('/notify');
    expect(log.raw()).not.toContain('ssw0rd');
    expect(log.raw()).not.toContain('bot:');
  });

  it('with no channel configured nothing is sent and nothing is counted', async () => {
    const calls: unknown[] = [];
    const spy: typeof fetch = async (input) => {
      calls.push(input);
      return new Response('ok');
    };
    const { notifier, metrics } = setup({}, { fetch: spy });

    notifier.notify(restarted);
    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    expect(notifier.pending()).toBe(0);
    await notifier.drain(1_000);

    expect(calls).toEqual([]);
    expect(await metrics.render()).not.toContain('autoheal_notifications_total{');
  });
});

describe('the post-restart script', () => {
  async function tmp(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'autoheal-notify-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function script(dir: string, body: string, mode = 0o755): Promise<string> {
    const file = join(dir, 'post-restart.sh');
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, mode);
    return file;
  }

  it('gets the name, short id, state and stop timeout as its arguments, like willfarrell/docker-autoheal', async () => {
    const dir = await tmp();
    const out = join(dir, 'args.txt');
    const file = await script(dir, `printf '%s|' "$@" > '${out}'; echo "$#" >> '${out}'`);
    const { notifier, count } = setup({ POST_RESTART_SCRIPT: file });

    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    expect(notifier.pending()).toBe(1);
    await notifier.drain(5_000);

    expect(await readFile(out, 'utf8')).toBe(`web|${SHORT}|running|10|4\n`);
    expect(await count('script', 'sent')).toBe(1);
  });

  it("gets autoheal's environment without autoheal's secrets", async () => {
    const dir = await tmp();
    const out = join(dir, 'env.txt');
    const file = await script(
      dir,
      `printf '%s|%s|%s|%s|%s' "$MY_SCRIPT_SETTING" "$AUTOHEAL_API_TOKEN" "$AUTOHEAL_API_READ_TOKEN" "$WEBHOOK_URL" "$APPRISE_URL_FILE" > '${out}'`,
    );
    const { notifier } = setup({
      POST_RESTART_SCRIPT: file,
      MY_SCRIPT_SETTING: 'for-the-script',
      AUTOHEAL_API_TOKEN: 'change-token-0123456789',
      AUTOHEAL_API_READ_TOKEN: 'read-token-0123456789',
      WEBHOOK_URL: 'https://hooks.example.com/s3cr3t',
    });
    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    await notifier.drain(5_000);
    expect(await readFile(out, 'utf8')).toBe('for-the-script||||');
  });

  it('a failing script is logged with its exit code and the tail of its stderr', async () => {
    const dir = await tmp();
    const file = await script(dir, 'echo "cannot reach the proxy" >&2; exit 3');
    const { notifier, count, log } = setup({ POST_RESTART_SCRIPT: file });

    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    await notifier.drain(5_000);

    expect(await count('script', 'failed')).toBe(1);
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      component: 'notify',
      container: 'web',
      channel: 'script',
      exit_code: 3,
      stderr: 'cannot reach the proxy',
    });
    expect(String(warnings[0]?.msg)).toContain('exited with code 3');
  });

  it('a script that runs too long is killed with what it started, and logged', async () => {
    const dir = await tmp();
    const pidFile = join(dir, 'sleeper.pid');
    const file = await script(dir, `sleep 30 & echo $! > '${pidFile}'; wait`);
    const { notifier, count, log } = setup({ POST_RESTART_SCRIPT: file }, { scriptTimeoutMs: 300 });

    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    await notifier.drain(5_000);

    expect(notifier.pending()).toBe(0);
    expect(await count('script', 'failed')).toBe(1);
    expect(log.lines.find((l) => l.level === 40)).toMatchObject({ channel: 'script', timed_out: true });
    // The background `sleep` the script started is gone too (or a zombie awaiting its reaper).
    const sleeper = (await readFile(pidFile, 'utf8')).trim();
    await expect.poll(() => processAlive(sleeper), { timeout: 2_000 }).toBe(false);
  });

  it('a missing script is logged clearly and nothing throws', async () => {
    const dir = await tmp();
    const file = join(dir, 'does-not-exist.sh');
    const { notifier, count, log } = setup({ POST_RESTART_SCRIPT: file });

    expect(() =>
      notifier.runPostRestartScript({
        containerName: 'web',
        containerId: ID,
        state: 'running',
        stopTimeoutS: 10,
      }),
    ).not.toThrow();
    await notifier.drain(5_000);

    expect(await count('script', 'failed')).toBe(1);
    const warnings = log.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: 'script', code: 'ENOENT' });
    expect(String(warnings[0]?.msg)).toBe(
      `POST_RESTART_SCRIPT ${file} could not be started: it does not exist`,
    );
  });

  it('a script that is not executable is logged as such', async () => {
    const dir = await tmp();
    const file = await script(dir, 'exit 0', 0o644);
    const { notifier, count, log } = setup({ POST_RESTART_SCRIPT: file });

    notifier.runPostRestartScript({
      containerName: 'web',
      containerId: ID,
      state: 'running',
      stopTimeoutS: 10,
    });
    await notifier.drain(5_000);

    expect(await count('script', 'failed')).toBe(1);
    expect(log.lines.find((l) => l.level === 40)).toMatchObject({ channel: 'script', code: 'EACCES' });
  });
});

describe('a test message', () => {
  it('goes once through every configured channel and answers with each result, the failure named by host only', async () => {
    const bodies: string[] = [];
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      bodies.push(String(init?.body));
      return new Response(null, { status: String(url).includes('apprise') ? 500 : 200 });
    }) as typeof fetch;
    const { notifier } = setup(
      {
        WEBHOOK_URL: 'https://hooks.example/services/SECRET-PATH',
        APPRISE_URL: 'https://apprise.example/notify/secret-key',
      },
      { fetch: fakeFetch },
    );
    expect(await notifier.test()).toEqual([
      { channel: 'webhook', ok: true, error: null },
      { channel: 'apprise', ok: false, error: 'https://apprise.example/***: HTTP 500' },
    ]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe('{"text":"[myhost] Test message from autoheal: notifications reach you"}');
  });

  it('answers [] when no channel is configured', async () => {
    const { notifier } = setup({});
    expect(await notifier.test()).toEqual([]);
  });

  it('a notice about no single container goes to every channel', async () => {
    const bodies: string[] = [];
    const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(String(init?.body));
      return new Response(null, { status: 200 });
    }) as typeof fetch;
    const { notifier } = setup({ WEBHOOK_URL: 'https://hooks.example/x' }, { fetch: fakeFetch });
    notifier.notice('Maintenance started for 30 min');
    await notifier.drain(2_000);
    expect(bodies).toEqual(['{"text":"[myhost] Maintenance started for 30 min"}']);
  });
});
