/**
 * autoheal started where no engine answers: it must keep running, say so on /api/health,
 * and record the outage, instead of exiting (as willfarrell/docker-autoheal does).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import { sleep } from '../support/docker-fixtures.js';

afterAll(async () => {
  await stopAllAutoheals();
});

describe('without a Docker engine', () => {
  it('keeps running, answers /api/health with 503 degraded, and records the outage once', async () => {
    const ah = await startAutoheal({
      waitConnected: false,
      env: { DOCKER_SOCK: '/nonexistent/docker.sock', DOCKER_HOST: 'unix:///var/run/docker.sock' },
    });
    const api = await ah.apiUrl();
    await ah.waitForAudit(
      (e) => e.event_type === 'engine' && e.status === 'disconnected',
      20_000,
      'disconnected',
    );
    await sleep(4_000); // several retries
    expect(ah.isRunning()).toBe(true);
    const res = await fetch(`${api}/api/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'degraded', docker: { connected: false } });
    const containers = await fetch(`${api}/api/containers`);
    expect(containers.status).toBe(503);
    expect(((await containers.json()) as { error: string }).error).toMatch(/unreachable/i);
    const outages = (await ah.readAudit()).filter((e) => e.event_type === 'engine');
    expect(outages.map((e) => e.status)).toEqual(['disconnected']);
    expect(outages[0]?.message).toContain('/nonexistent/docker.sock');
    expect(await ah.stop()).toBe(0);
  });

  it('a bad setting stops start-up with one line naming it', async () => {
    const ah = await startAutoheal({ waitConnected: false, env: { AUTOHEAL_INTERVAL: 'soon' } });
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (!ah.isRunning()) {
          clearInterval(poll);
          resolve(ah.stop());
        }
      }, 50);
    });
    expect(code).toBe(2);
    const stderr = ah.logs.filter((l) => l.stream === 'stderr').map((l) => l.raw);
    expect(stderr).toEqual([
      'autoheal: configuration error: AUTOHEAL_INTERVAL="soon" is invalid: it accepts a whole number from 1 to 86400',
    ]);
  });

  it('a stop during start-up still flushes the store and exits cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'autoheal-e2e-'));
    // An unreadable store is set aside at open, and the fresh one records that (in memory)...
    await writeFile(join(dataDir, 'autoheal.json'), '{"version": 1, "events": [');
    // ...then start-up blocks reading the API token from a pipe nobody writes to yet.
    const tokenPipe = join(dataDir, 'api-token');
    await promisify(execFile)('mkfifo', [tokenPipe]).catch((err: Error) => {
      throw new Error(`mkfifo (coreutils) is needed for this test: ${err.message}`);
    });
    const ah = await startAutoheal({
      dataDir,
      waitConnected: false,
      env: { DOCKER_SOCK: '/nonexistent/docker.sock', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    await ah.waitForLog(
      (l) => String(l.json?.msg ?? '').includes('the store file was unreadable'),
      20_000,
      'the store to be set aside',
    );
    expect(ah.logs.some((l) => l.json?.msg === 'API listening')).toBe(false);
    const stopped = ah.stop();
    await sleep(1_000);
    // Let the blocked read finish, so nothing of start-up is left hanging (no reader: ignored).
    const writer = await open(tokenPipe, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
    await writer?.writeFile('a-token-for-the-test\n');
    await writer?.close();
    expect(await stopped).toBe(0);
    const events = await ah.readAudit();
    expect(events.map((e) => e.status)).toContain('store_reset');
    expect(ah.logs.some((l) => l.json?.msg === 'API listening')).toBe(false);
  });
});
