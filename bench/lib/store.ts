/**
 * The one place the bench builds autoheal's persistent store. Everything else uses only
 * the `AuditStore` interface, so a new store implementation needs a change here and nowhere
 * else in the bench.
 */
import type { Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { AuditStore } from '../../src/store/types.js';

export async function openStore(
  dataDir: string,
  eventsMax: number,
  logger: Logger = silentLogger(),
): Promise<AuditStore> {
  const store = new LowdbStore({ dataDir, eventsMax, logger });
  await store.open();
  return store;
}
