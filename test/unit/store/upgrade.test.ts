/**
 * The first start on a data directory written by the single-file versions
 * (test/fixtures/store-v1, produced by that version): lists, heal records, enrolled ids and
 * the history come over without loss, once.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { LowdbStore } from '../../../src/store/lowdb-store.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/store-v1/autoheal.json', import.meta.url));
const WEB_ID = `3f2a${'0'.repeat(60)}`;
const DB_ID = `9b1c${'1'.repeat(60)}`;

let dataDir: string;
const opened: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'autoheal-upgrade-'));
  await copyFile(FIXTURE, join(dataDir, 'autoheal.json'));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function open(segmentSize = 4): Promise<LowdbStore> {
  const store = new LowdbStore({ dataDir, eventsMax: 5000, logger: silentLogger(), segmentSize });
  await store.open();
  opened.push(store);
  return store;
}

interface LegacyFile {
  events: Array<{ id: number }>;
}

describe('upgrading a data directory of the single-file store', () => {
  it('keeps the lists, heal records, enrolled ids, history and restart counts', async () => {
    const legacy = JSON.parse(await readFile(FIXTURE, 'utf-8')) as LegacyFile;

    const store = await open();

    expect(store.getList('excluded')).toEqual(['test-*', 'scratch']);
    expect(store.getList('selected')).toEqual(['web']);
    expect(store.getHealRecord(WEB_ID)).toMatchObject({ name: 'web', consecutive: 2, gaveUpAt: null });
    expect(store.getHealRecord(DB_ID)).toMatchObject({
      name: 'db',
      gaveUpAt: Date.parse('2026-11-20T10:00:09Z'),
    });
    expect(store.markMonitored(WEB_ID)).toBe(false);
    const events = await store.find({ limit: 1000 });
    // Every old event, unchanged, then the record of the upgrade.
    expect(events.slice(1).reverse()).toEqual(legacy.events);
    expect(events[0]).toMatchObject({ id: 12, event_type: 'config_change', status: 'store_upgraded' });
    expect(store.restartCount('web')).toBe(3);
    expect(store.lastRestartAt('web')).toBe('2026-11-20T10:00:09.000Z');
  });

  it('writes the new layout before renaming the old file, and does it once', async () => {
    const first = await open();
    await first.close();
    opened.splice(0);

    const names = await readdir(dataDir);
    expect(names).toContain('autoheal.json.migrated');
    expect(names).not.toContain('autoheal.json');
    expect(names).toContain('state.json');

    const second = await open();
    expect((await second.find({ limit: 1000 })).filter((e) => e.status === 'store_upgraded')).toHaveLength(1);
    expect(second.getList('excluded')).toEqual(['test-*', 'scratch']);
  });

  it('an upgrade interrupted after writing the new files runs again from the old file, without duplicates', async () => {
    const first = await open();
    await first.close();
    opened.splice(0);
    // As if the process died before the rename: the old file is still there.
    await copyFile(FIXTURE, join(dataDir, 'autoheal.json'));
    await rm(join(dataDir, 'autoheal.json.migrated'));

    const second = await open();

    const events = await second.find({ limit: 1000 });
    expect(events.filter((e) => e.id <= 11)).toHaveLength(11);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('an old file that is not JSON is moved aside, as before, and a fresh store starts', async () => {
    await writeFile(join(dataDir, 'autoheal.json'), '{"version": 1, "events": [');

    const store = await open();

    expect((await store.find())[0]).toMatchObject({ status: 'store_reset' });
    expect((await readdir(dataDir)).some((name) => name.startsWith('autoheal.json.corrupt-'))).toBe(true);
  });
});
