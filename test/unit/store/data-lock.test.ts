/**
 * The data directory's lock: who is judged gone (a pure verdict over the holder, this
 * process and the clock), and the lock file's life cycle in a real directory with an
 * injected identity and clock. The refusal between two real processes is end to end, in
 * test/e2e/store.test.ts.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import {
  DataDirLock,
  LockHeldError,
  type LockHolder,
  type LockIdentity,
  lockVerdict,
} from '../../../src/store/data-lock.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const STALE_AFTER = 30_000;

const me: LockIdentity = {
  pid: 1,
  hostname: 'autoheal-b',
  bootId: 'boot-1',
  pidNamespace: 'pid:[4026532900]',
  containerId: 'c'.repeat(64),
};

/** A holder that was pid 1 in a container of its own, on this boot, refreshed `ageMs` ago. */
function holder(overrides: Partial<LockHolder> = {}, ageMs = 1_000): LockHolder {
  return {
    token: 'other',
    pid: 1,
    hostname: 'autoheal-a',
    boot_id: 'boot-1',
    pid_namespace: 'pid:[4026532800]',
    container_id: 'a'.repeat(64),
    started_at: new Date(NOW - 60_000).toISOString(),
    heartbeat_at: new Date(NOW - ageMs).toISOString(),
    ...overrides,
  };
}

const nobodyAlive = () => false;
const everybodyAlive = () => true;

describe('whether a lock holder is gone', () => {
  it('pid 1 of another container that refreshes its lock is alive, although this process is pid 1 too', () => {
    expect(lockVerdict(holder(), me, NOW, STALE_AFTER, nobodyAlive)).toMatchObject({ stale: false });
  });

  it('pid 1 of another container that stopped refreshing (SIGKILL) is gone once the limit has passed', () => {
    expect(lockVerdict(holder({}, STALE_AFTER - 1), me, NOW, STALE_AFTER, everybodyAlive).stale).toBe(false);
    expect(lockVerdict(holder({}, STALE_AFTER + 1), me, NOW, STALE_AFTER, everybodyAlive)).toMatchObject({
      stale: true,
      reason: expect.stringContaining('stopped refreshing'),
    });
  });

  it('a holder from before the last boot (power loss) is gone at once, however fresh its heartbeat', () => {
    expect(lockVerdict(holder({ boot_id: 'boot-0' }, 0), me, NOW, STALE_AFTER, everybodyAlive)).toMatchObject(
      {
        stale: true,
        reason: expect.stringContaining('booted'),
      },
    );
  });

  it('an earlier run of this same container (restarted after a kill) is gone at once', () => {
    const previousRun = holder({ container_id: me.containerId }, 0);
    expect(lockVerdict(previousRun, me, NOW, STALE_AFTER, everybodyAlive)).toMatchObject({ stale: true });
  });

  it('in this pid namespace, the pid decides: alive or gone, and a holder with this process’s own pid is gone', () => {
    const here = { pid_namespace: me.pidNamespace, container_id: null };
    expect(
      lockVerdict(holder({ ...here, pid: 77 }, 0), me, NOW, STALE_AFTER, (pid) => pid === 77).stale,
    ).toBe(false);
    expect(lockVerdict(holder({ ...here, pid: 77 }, 0), me, NOW, STALE_AFTER, nobodyAlive).stale).toBe(true);
    expect(lockVerdict(holder({ ...here, pid: me.pid }, 0), me, NOW, STALE_AFTER, everybodyAlive).stale).toBe(
      true,
    );
  });

  it('without a boot id to compare, only the heartbeat decides', () => {
    const unknown = { ...me, bootId: null, pidNamespace: null, containerId: null };
    expect(lockVerdict(holder({ boot_id: null }, 0), unknown, NOW, STALE_AFTER, nobodyAlive).stale).toBe(
      false,
    );
    expect(
      lockVerdict(holder({ boot_id: null }, STALE_AFTER * 2), unknown, NOW, STALE_AFTER, nobodyAlive).stale,
    ).toBe(true);
  });
});

describe('the lock file', () => {
  let dir: string;
  let clock = NOW;
  const now = () => new Date(clock);
  const held: DataDirLock[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autoheal-lock-'));
    clock = NOW;
  });

  afterEach(async () => {
    for (const lock of held.splice(0)) await lock.release();
    await rm(dir, { recursive: true, force: true });
  });

  async function acquire(identity: LockIdentity, onLost?: () => void): Promise<DataDirLock> {
    const lock = await DataDirLock.acquire({
      dir,
      identity,
      logger: silentLogger(),
      now,
      heartbeatMs: 3_600_000,
      staleAfterMs: STALE_AFTER,
      isAlive: nobodyAlive,
      ...(onLost && { onLost }),
    });
    held.push(lock);
    return lock;
  }

  const otherContainer: LockIdentity = {
    ...me,
    hostname: 'autoheal-a',
    pidNamespace: 'pid:[1]',
    containerId: 'a'.repeat(64),
  };

  it('is a private file naming its holder, removed on release', async () => {
    const lock = await acquire(me);
    const content = JSON.parse(await readFile(lock.file, 'utf-8')) as LockHolder;

    expect(content).toMatchObject({
      pid: 1,
      hostname: 'autoheal-b',
      boot_id: 'boot-1',
      container_id: me.containerId,
    });
    expect((await stat(lock.file)).mode & 0o777).toBe(0o600);
    await lock.release();
    await expect(stat(lock.file)).rejects.toThrow(/ENOENT/);
  });

  it('a second autoheal while the first refreshes it is refused, with one line naming the directory', async () => {
    await acquire(otherContainer);
    clock += STALE_AFTER - 1_000;

    const refused = acquire(me);

    await expect(refused).rejects.toThrow(LockHeldError);
    await expect(refused).rejects.toThrow(`the data directory ${dir} is in use by another autoheal`);
    await expect(refused).rejects.not.toThrow(/\n/);
  });

  it('is taken over once its holder stopped refreshing it, and the old holder learns it lost it', async () => {
    let lost = false;
    const first = await acquire(otherContainer, () => {
      lost = true;
    });
    clock += STALE_AFTER + 1_000;

    const second = await acquire(me);
    await first.beat();

    expect(lost).toBe(true);
    expect((JSON.parse(await readFile(second.file, 'utf-8')) as LockHolder).hostname).toBe('autoheal-b');
    // The old holder's release leaves the new holder's lock alone.
    await first.release();
    await expect(stat(second.file)).resolves.toBeDefined();
  });

  it('a heartbeat keeps it fresh, so no one takes it over', async () => {
    const first = await acquire(otherContainer);
    clock += STALE_AFTER - 1_000;
    await first.beat();
    clock += STALE_AFTER - 1_000;

    await expect(acquire(me)).rejects.toThrow(LockHeldError);
  });

  it('a lock file that is not a lock (garbage, half a line) is taken over', async () => {
    await writeFile(join(dir, 'autoheal.lock'), '{"tok');

    const lock = await acquire(me);

    expect((JSON.parse(await readFile(lock.file, 'utf-8')) as LockHolder).pid).toBe(1);
  });
});
