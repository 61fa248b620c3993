/**
 * The one writer every file goes through: private modes whatever the umask, no temporary
 * file left behind by a write that failed, exclusive creation, and the clean-up of what a
 * crash left.
 */
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AtomicJsonFile,
  createFileExclusive,
  ensurePrivateDirectory,
  removeLeftoverTemps,
  writeFileAtomic,
} from '../../../src/store/atomic-file.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autoheal-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the atomic writer', () => {
  it('replaces a file, keeps it 0600 over many writes under a permissive umask, and leaves no temporary file', async () => {
    const file = join(dir, 'f.json');
    await writeFile(file, 'old', { mode: 0o644 });
    const oldUmask = process.umask(0o000);
    try {
      for (let i = 0; i < 5; i++) await writeFileAtomic(file, `content ${i}`);
    } finally {
      process.umask(oldUmask);
    }

    expect(await readFile(file, 'utf-8')).toBe('content 4');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['f.json']);
  });

  it('a write that fails leaves the old file whole and no temporary file', async () => {
    const file = join(dir, 'f.json');
    await writeFileAtomic(file, 'old');
    // A directory where the file should be makes the rename fail after the temporary file is written.
    const target = join(dir, 'taken');
    await ensurePrivateDirectory(join(target, 'inside'));

    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();

    expect(await readFile(file, 'utf-8')).toBe('old');
    expect((await readdir(dir)).sort()).toEqual(['f.json', 'taken']);
  });

  it('creates a file exclusively: a second creation fails and changes nothing', async () => {
    const file = join(dir, 'lock');
    await createFileExclusive(file, 'first');

    await expect(createFileExclusive(file, 'second')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(file, 'utf-8')).toBe('first');
    expect(await readdir(dir)).toEqual(['lock']);
  });

  it('makes a directory 0700, an existing looser one included', async () => {
    const data = join(dir, 'data');
    await ensurePrivateDirectory(data);
    await chmod(data, 0o755);

    await ensurePrivateDirectory(data);

    expect((await stat(data)).mode & 0o777).toBe(0o700);
  });

  it('after a crash, removes only its own temporary files', async () => {
    await writeFile(join(dir, '.state.json.42.0badc0de.tmp'), '{"half');
    await writeFile(join(dir, 'state.json'), '{}');
    await writeFile(join(dir, 'notes.tmp'), 'a user file');

    expect(await removeLeftoverTemps(dir)).toEqual(['.state.json.42.0badc0de.tmp']);
    expect((await readdir(dir)).sort()).toEqual(['notes.tmp', 'state.json']);
  });
});

describe('the lowdb adapter over it', () => {
  it('writes compact JSON and reads it back; a missing file reads as null', async () => {
    const adapter = new AtomicJsonFile<{ a: number[] }>(join(dir, 'x.json'));
    expect(await adapter.read()).toBeNull();

    await adapter.write({ a: [1, 2] });

    expect(await readFile(join(dir, 'x.json'), 'utf-8')).toBe('{"a":[1,2]}');
    expect(await adapter.read()).toEqual({ a: [1, 2] });
  });
});
