/**
 * The one place the bench builds autoheal's persistent store. Everything else uses only
 * the `AuditStore` interface, so a new store implementation needs a change here and nowhere
 * else in the bench.
 */
import { join } from 'node:path';
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { AuditStore } from '../../src/store/types.js';

/** The store file autoheal keeps in its data directory. */
export function storePath(dataDir: string): string {
  return join(dataDir, 'autoheal.json');
}

export async function openStore(
  dataDir: string,
  eventsMax: number,
  logger: Logger = silentLogger(),
): Promise<AuditStore> {
  const store = new LowdbStore({ file: storePath(dataDir), eventsMax, logger });
  await store.open();
  return store;
}
