/**
 * The data directory end to end, with the real build: a second autoheal on the same
 * directory refuses to start, a start after SIGKILL takes the stale lock over, and the first
 * start on a directory of the single-file version (the committed fixture, written by that
 * version) keeps its lists, heal records and history, as the API shows them.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startAutoheal, stopAllAutoheals } from '../support/autoheal-process.js';
import { createHealthContainer, removeAll } from '../support/docker-fixtures.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'store-v1', 'autoheal.json');
const FIXTURE_DB_ID = `9b1c${'1'.repeat(60)}`;

afterAll(async () => {
  await stopAllAutoheals();
  await removeAll();
});

async function get(api: string, token: string, path: string): Promise<Response> {
  return fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('one autoheal per data directory', () => {
  it('a second autoheal on the same directory refuses to start with one line naming it; the first keeps running', async () => {
    const first = await startAutoheal();

    const second = await startAutoheal({ dataDir: first.dataDir, waitConnected: false });
    const code = await second.exited();

    expect(code).toBe(2);
    const stderr = second.logs.filter((l) => l.stream === 'stderr').map((l) => l.raw);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(`the data directory ${first.dataDir} is in use by another autoheal`);
    expect(first.isRunning()).toBe(true);
    const health = await fetch(`${await first.apiUrl()}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { store: { ok: boolean } }).store.ok).toBe(true);
  });

  it('a start after SIGKILL takes the stale lock over and keeps the history', async () => {
    const first = await startAutoheal();
    const before = await first.readAudit();
    expect(before.length).toBeGreaterThan(0);
    await first.kill();

    const again = await startAutoheal({ dataDir: first.dataDir });

    await again.waitForLog((l) => String(l.json?.msg ?? '').includes('taking over the stale lock'), 10_000);
    const after = await again.readAudit();
    expect(after.slice(0, before.length)).toEqual(before);
    // The log line comes before the takeover; the API listens only after the store is open.
    await again.apiUrl();
    expect((await stat(join(first.dataDir, 'autoheal.lock'))).mode & 0o777).toBe(0o600);
  });
});

describe('upgrading a data directory of the single-file version', () => {
  it('keeps the lists, the heal records and the history, as the API shows them', async () => {
    // The fixture's `db` record (autoheal gave up on it) is pointed at a real, unmonitored
    // container, so that the API has a container to show it on.
    const db = await createHealthContainer();
    const dataDir = await mkdtemp(join(tmpdir(), 'autoheal-e2e-upgrade-'));
    const legacy = (await readFile(FIXTURE, 'utf-8')).replaceAll(FIXTURE_DB_ID, db.id);
    await writeFile(join(dataDir, 'autoheal.json'), legacy);
    const legacyEvents = (JSON.parse(legacy) as { events: Array<{ id: number; message: string }> }).events;

    const ah = await startAutoheal({ dataDir });
    const api = await ah.apiUrl();
    const token = await ah.token();

    const config = (await (await get(api, token, '/api/config')).json()) as {
      containers: { selected: string[]; excluded: string[] };
    };
    expect(config.containers.selected).toEqual(['web']);
    expect(config.containers.excluded).toEqual(expect.arrayContaining(['test-*', 'scratch']));

    const view = (await (await get(api, token, `/api/containers/${db.id}`)).json()) as { gave_up: boolean };
    expect(view.gave_up).toBe(true);

    const page = (await (await get(api, token, '/api/events?limit=500')).json()) as {
      events: Array<{ id: number; message: string; status: string }>;
    };
    const old = page.events.filter((e) => e.id <= legacyEvents.length).reverse();
    expect(old.map((e) => e.message)).toEqual(legacyEvents.map((e) => e.message));
    expect(page.events.some((e) => e.status === 'store_upgraded')).toBe(true);
    const web = (await (await get(api, token, '/api/events?container=web&type=restart')).json()) as {
      events: Array<{ restart_count: number }>;
    };
    expect(web.events.map((e) => e.restart_count)).toEqual([3, 2, 1]);
    await expect(stat(join(dataDir, 'autoheal.json.migrated'))).resolves.toBeDefined();
  });
});
