/**
 * One autoheal per data directory: `<data dir>/autoheal.lock` names its holder, who refreshes
 * it every few seconds. A second autoheal refuses to start while the holder is alive, and
 * takes the lock over once the holder is known dead or has stopped refreshing it.
 *
 * Why not a pid file or flock: in a container every autoheal is pid 1, so "is pid 1 alive?"
 * says nothing about a holder in another container; flock is not honoured by every volume
 * (NFS, some bind-mount drivers) and dies silently with the holder's mount namespace. The lock
 * therefore says who holds it in terms another process can check, from the surest to the
 * weakest (see `lockVerdict`): the boot (a reboot or power loss ends every holder), the pid
 * namespace (a pid is only meaningful in the holder's own), the container (a container runs
 * one autoheal; a restarted one finds its own stale lock), and last the heartbeat (a holder
 * that has not refreshed the lock for `staleAfterMs` is gone). A random token tells whether
 * the lock is still this process's own.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import { createFileExclusive, removeFile, writeFileAtomic } from './atomic-file.js';

export const LOCK_FILE = 'autoheal.lock';
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_STALE_AFTER_MS = 30_000;

/** Who a process is, in the terms `lockVerdict` compares. */
export interface LockIdentity {
  pid: number;
  hostname: string;
  /** The kernel's boot id (`/proc/sys/kernel/random/boot_id`); null where there is none. */
  bootId: string | null;
  /** The pid namespace (`/proc/self/ns/pid`), e.g. `pid:[4026531836]`; null where there is none. */
  pidNamespace: string | null;
  /** The container autoheal runs in, when it knows it. */
  containerId: string | null;
}

const holderSchema = z.object({
  token: z.string(),
  pid: z.number().int(),
  hostname: z.string(),
  boot_id: z.string().nullable(),
  pid_namespace: z.string().nullable(),
  container_id: z.string().nullable(),
  started_at: z.string(),
  heartbeat_at: z.string(),
});
export type LockHolder = z.output<typeof holderSchema>;

export type LockVerdict = { stale: true; reason: string } | { stale: false; reason: string };

/**
 * Whether the holder of a lock is gone. `isAlive(pid)` answers for a pid in this process's
 * own pid namespace.
 */
export function lockVerdict(
  holder: LockHolder,
  me: LockIdentity,
  nowMs: number,
  staleAfterMs: number,
  isAlive: (pid: number) => boolean,
): LockVerdict {
  if (holder.boot_id !== null && me.bootId !== null && holder.boot_id !== me.bootId) {
    return { stale: true, reason: 'its holder ran before the machine last booted' };
  }
  const sameBoot = holder.boot_id !== null && holder.boot_id === me.bootId;
  if (sameBoot && holder.pid_namespace !== null && holder.pid_namespace === me.pidNamespace) {
    if (holder.pid === me.pid) return { stale: true, reason: `its holder had this process's pid ${me.pid}` };
    return isAlive(holder.pid)
      ? { stale: false, reason: `pid ${holder.pid} is alive` }
      : { stale: true, reason: `its holder, pid ${holder.pid}, is gone` };
  }
  if (sameBoot && holder.container_id !== null && holder.container_id === me.containerId) {
    return { stale: true, reason: 'its holder was an earlier run of this container' };
  }
  const age = nowMs - Date.parse(holder.heartbeat_at);
  if (!(age <= staleAfterMs)) {
    return { stale: true, reason: `its holder stopped refreshing it ${Math.round(age / 1000)} s ago` };
  }
  return { stale: false, reason: `it was refreshed ${Math.max(0, Math.round(age / 1000))} s ago` };
}

/** The data directory is in use by another autoheal. */
export class LockHeldError extends Error {}

export function currentIdentity(containerId: string | null): LockIdentity {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf-8').trim()),
    pidNamespace: readOrNull(() => readlinkSync('/proc/self/ns/pid')),
    containerId,
  };
}

function readOrNull(read: () => string): string | null {
  try {
    return read() || null;
  } catch {
    return null;
  }
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLockOptions {
  dir: string;
  identity: LockIdentity;
  logger: Logger;
  now?: () => Date;
  heartbeatMs?: number;
  staleAfterMs?: number;
  isAlive?: (pid: number) => boolean;
  /** Called when another process has taken the lock over: this one must stop writing. */
  onLost?: (holder: LockHolder | null) => void;
}

export class DataDirLock {
  readonly #file: string;
  readonly #options: DataDirLockOptions;
  readonly #now: () => Date;
  readonly #token = randomBytes(16).toString('hex');
  readonly #startedAt: string;
  #timer: NodeJS.Timeout | undefined;
  #released = false;

  private constructor(options: DataDirLockOptions) {
    this.#options = options;
    this.#file = join(options.dir, LOCK_FILE);
    this.#now = options.now ?? (() => new Date());
    this.#startedAt = this.#now().toISOString();
  }

  get file(): string {
    return this.#file;
  }

  /**
   * Takes the lock, or throws LockHeldError with one line naming the directory and the holder.
   * Starts the heartbeat.
   */
  static async acquire(options: DataDirLockOptions): Promise<DataDirLock> {
    const lock = new DataDirLock(options);
    await lock.#take();
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    lock.#timer = setInterval(() => void lock.#beat(), heartbeatMs);
    lock.#timer.unref();
    return lock;
  }

  #content(): string {
    const me = this.#options.identity;
    const holder: LockHolder = {
      token: this.#token,
      pid: me.pid,
      hostname: me.hostname,
      boot_id: me.bootId,
      pid_namespace: me.pidNamespace,
      container_id: me.containerId,
      started_at: this.#startedAt,
      heartbeat_at: this.#now().toISOString(),
    };
    return JSON.stringify(holder);
  }

  async #take(): Promise<void> {
    const dir = this.#options.dir;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await createFileExclusive(this.#file, this.#content());
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await this.#readHolder();
      if (holder === null) {
        // Unreadable: not written by an autoheal that could still be running (it writes atomically).
        this.#options.logger.warn(
          { file: this.#file },
          'the lock file of the data directory is unreadable; taking it over',
        );
      } else {
        const verdict = lockVerdict(
          holder,
          this.#options.identity,
          this.#now().getTime(),
          this.#options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
          this.#options.isAlive ?? pidIsAlive,
        );
        if (!verdict.stale) {
          throw new LockHeldError(
            `the data directory ${dir} is in use by another autoheal (pid ${holder.pid} on ${holder.hostname}, ${verdict.reason}); stop it, or give each autoheal its own data directory`,
          );
        }
        this.#options.logger.warn(
          { file: this.#file, holder_pid: holder.pid, holder_host: holder.hostname, reason: verdict.reason },
          `taking over the stale lock of the data directory ${dir}: ${verdict.reason}`,
        );
      }
      // Remove and create again exclusively: of two autoheals taking over at once, one wins.
      await removeFile(this.#file);
    }
    throw new LockHeldError(
      `the data directory ${dir} is being locked by another autoheal at the same time; try again`,
    );
  }

  async #readHolder(): Promise<LockHolder | null> {
    try {
      const parsed = holderSchema.safeParse(JSON.parse(await readFile(this.#file, 'utf-8')));
      return parsed.success ? parsed.data : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return null;
    }
  }

  /** Refreshes the heartbeat, after checking that the lock is still this process's. */
  async #beat(): Promise<void> {
    if (this.#released) return;
    try {
      const holder = await this.#readHolder();
      if (holder?.token !== this.#token) {
        this.#stop();
        this.#options.logger.fatal(
          { file: this.#file, holder_pid: holder?.pid ?? null, holder_host: holder?.hostname ?? null },
          `another autoheal took over the data directory ${this.#options.dir}; this one must stop`,
        );
        this.#options.onLost?.(holder);
        return;
      }
      await writeFileAtomic(this.#file, this.#content());
    } catch (error) {
      // A disk that refuses writes is reported by the store; the next beat tries again.
      this.#options.logger.warn(
        { err: errorText(error), file: this.#file },
        'cannot refresh the data directory lock',
      );
    }
  }

  /** For tests: one heartbeat now. */
  async beat(): Promise<void> {
    await this.#beat();
  }

  #stop(): void {
    this.#released = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the heartbeat and removes the lock if it is still this process's. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#stop();
    const holder = await this.#readHolder();
    if (holder?.token === this.#token) await removeFile(this.#file);
  }
}
