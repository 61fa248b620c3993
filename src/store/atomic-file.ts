/**
 * The one way autoheal writes a file: private (0600, in a 0700 directory), complete or not at
 * all, and on the disk before the caller is told so. Also the lowdb adapter built on it, so
 * every lowdb file of the store goes through the same path.
 *
 * Hand-written because the libraries at hand do not do all of it: lowdb's steno writer
 * renames a fresh temporary file without fsync (a power loss can leave an empty file) and
 * with the process umask's mode (a one-time chmod is undone by the next write).
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Temporary files are dot-files ending in this, so a crash leaves nothing that looks like data. */
const TEMP_SUFFIX = '.tmp';

function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
}

/** Writes `data` to a new private temporary file beside `path` and syncs it; returns its path. */
async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data);
    // The mode given to open is filtered by the umask; the file must be 0600 whatever it is.
    await handle.chmod(FILE_MODE);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return temp;
}

/** Makes a rename or unlink in `dir` durable: without it a power loss can undo it. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically: a reader (or a restart after a crash or a power
 * loss) sees the old content or the new one, never a mix or an empty file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path` with `data` only if it does not exist yet (EEXIST otherwise), complete from
 * the first moment it is visible: `link` fails on an existing name, which `rename` would
 * silently replace.
 */
export async function createFileExclusive(path: string, data: string): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await link(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
}

/** Removes `path` durably; a file already gone is fine. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Renames durably (both names are in one directory here). */
export async function renameFile(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDirectory(dirname(to));
}

/**
 * Creates `dir` if needed and makes it 0700. With `parents: false` a missing parent is an
 * error (ENOENT): a data directory that vanished (an unmounted volume) is not silently
 * replaced by an empty one.
 */
export async function ensurePrivateDirectory(dir: string, parents = true): Promise<void> {
  try {
    await mkdir(dir, { recursive: parents, mode: DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (!(await stat(dir)).isDirectory()) throw new Error(`ENOTDIR: ${dir} is not a directory`);
  // mkdir's mode is filtered by the umask, and an existing directory keeps its own.
  try {
    await chmod(dir, DIR_MODE);
  } catch (error) {
    // A directory of another owner (a volume mounted for a non-root autoheal) keeps its mode:
    // whether it is usable is checked by the caller, and the files in it are 0600 anyway.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/**
 * Deletes the temporary files a crash left in `dir` (only ours: dot-files ending in `.tmp`).
 * Call it only while holding the data directory's lock, or it may delete a live writer's file.
 */
export async function removeLeftoverTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const leftovers = names.filter((name) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX));
  for (const name of leftovers) await unlink(join(dir, name)).catch(() => undefined);
  return leftovers;
}

/** What writes a file; tests wrap it to count or break writes. */
export type FileWriter = (path: string, data: string) => Promise<void>;

/**
 * A lowdb adapter over the atomic writer, with compact JSON (a pretty-printed history is
 * three times the bytes to write for nobody to read). `read` answers null for a missing
 * file and throws a SyntaxError for one that is not JSON.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly writer: FileWriter = writeFileAtomic,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf-8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  async write(data: T): Promise<void> {
    await this.writer(this.path, JSON.stringify(data));
  }
}
