import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../../src/api/auth.js';
import { resolveApiToken } from '../../../src/api/token.js';
import { capturingLogger, testSettings } from '../../support/api-fakes.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'autoheal-token-'));

describe('resolveApiToken', () => {
  it('uses AUTOHEAL_API_TOKEN from the settings and writes nothing', async () => {
    const dir = tempDir();
    const settings = testSettings({ AUTOHEAL_API_TOKEN: 'from-the-env-123', AUTOHEAL_DATA_DIR: dir });
    const { logger, lines } = capturingLogger();
    expect(await resolveApiToken(settings, logger)).toEqual({
      token: 'from-the-env-123',
      source: 'settings',
      path: null,
    });
    expect(() => statSync(join(dir, 'api-token'))).toThrow();
    expect(lines.join('')).not.toContain('from-the-env-123');
  });

  it('uses the value AUTOHEAL_API_TOKEN_FILE named (read by the config loader)', async () => {
    const dir = tempDir();
    const file = join(dir, 'secret');
    writeFileSync(file, 'file-token-abcdef\n');
    // An empty AUTOHEAL_API_TOKEN counts as unset, so the file is used.
    const settings = testSettings({
      AUTOHEAL_API_TOKEN: '',
      AUTOHEAL_API_TOKEN_FILE: file,
      AUTOHEAL_DATA_DIR: dir,
    });
    expect(settings.apiToken).toBe('file-token-abcdef');
    const resolved = await resolveApiToken(settings, capturingLogger().logger);
    expect(resolved.token).toBe('file-token-abcdef');
  });

  it('generates 32 random bytes into <data dir>/api-token with mode 0600, logging the path only', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const settings = { ...testSettings({ AUTOHEAL_DATA_DIR: dir }), apiToken: null };
    const { logger, lines } = capturingLogger();
    const first = await resolveApiToken(settings, logger);
    const path = join(dir, 'api-token');
    expect(first.source).toBe('generated');
    expect(first.path).toBe(path);
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const log = lines.join('');
    expect(log).toContain(path);
    expect(log).not.toContain(first.token);

    // The next start reads the same token back.
    const second = await resolveApiToken(settings, logger);
    expect(second).toEqual({ token: first.token, source: 'data-dir-file', path });
    expect(lines.join('')).not.toContain(first.token);
    // And another data dir gets another token.
    const other = await resolveApiToken({ ...settings, dataDir: tempDir() }, logger);
    expect(other.token).not.toBe(first.token);
  });

  it('tightens a token file readable by others to 0600', async () => {
    const dir = tempDir();
    const path = join(dir, 'api-token');
    writeFileSync(path, 'existing-token-value\n', { mode: 0o644 });
    const { logger, lines } = capturingLogger();
    const resolved = await resolveApiToken(
      { ...testSettings({ AUTOHEAL_DATA_DIR: dir }), apiToken: null },
      logger,
    );
    expect(resolved.token).toBe('existing-token-value');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(lines.join('')).not.toContain('existing-token-value');
  });

  it('replaces an empty token file with a generated token', async () => {
    const dir = tempDir();
    const path = join(dir, 'api-token');
    writeFileSync(path, '\n', { mode: 0o600 });
    const resolved = await resolveApiToken(
      { ...testSettings({ AUTOHEAL_DATA_DIR: dir }), apiToken: null },
      capturingLogger().logger,
    );
    expect(resolved.source).toBe('generated');
    expect(readFileSync(path, 'utf8').trim()).toBe(resolved.token);
  });

  it('refuses a hand-written token file that is short or holds whitespace, and leaves it alone', async () => {
    for (const content of ['changeme\n', 'two words token here\n']) {
      const dir = tempDir();
      const path = join(dir, 'api-token');
      writeFileSync(path, content, { mode: 0o600 });
      await expect(
        resolveApiToken(
          { ...testSettings({ AUTOHEAL_DATA_DIR: dir }), apiToken: null },
          capturingLogger().logger,
        ),
      ).rejects.toThrow(/openssl rand -hex 32/);
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
  });
});

describe('tokenMatches', () => {
  it('accepts the exact token only, whatever the lengths', () => {
    expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
    expect(tokenMatches('secret-token', 'secret-toke')).toBe(false);
    expect(tokenMatches('secret-token', 'secret-tokenn')).toBe(false);
    expect(tokenMatches('secret-token', '')).toBe(false);
    expect(tokenMatches('secret-token', 'Secret-token')).toBe(false);
  });
});
