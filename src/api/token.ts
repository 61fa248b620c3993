/**
 * Where the API token comes from: AUTOHEAL_API_TOKEN or AUTOHEAL_API_TOKEN_FILE (already in
 * `settings.apiToken`), else `<data dir>/api-token`, generated at first start. Only the
 * file's path is ever logged, never the token.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { MIN_TOKEN_LENGTH } from '../config/validators.js';
import type { Logger } from '../log.js';
import { ensurePrivateDirectory, writeFileAtomic } from '../store/atomic-file.js';

export const TOKEN_FILE_NAME = 'api-token';

export interface ResolvedApiToken {
  token: string;
  source: 'settings' | 'data-dir-file' | 'generated';
  /** The file holding it, when it came from (or was written to) the data dir. */
  path: string | null;
}

async function readExisting(path: string, logger: Logger): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(
      `cannot read the API token file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const token = text.trim();
  if (token === '') {
    logger.warn({ path }, 'the API token file is empty; generating a new token into it');
    return null;
  }
  // A token written there by hand is held to the rules of AUTOHEAL_API_TOKEN.
  if (/\s/.test(token) || token.length < MIN_TOKEN_LENGTH) {
    throw new Error(
      `the API token in ${path} ${/\s/.test(token) ? 'contains whitespace' : `is shorter than ${MIN_TOKEN_LENGTH} characters`}; replace it (e.g. openssl rand -hex 32) or delete the file to have one generated`,
    );
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    logger.warn(
      { path, mode: mode.toString(8) },
      'the API token file was readable by others; its mode is now 0600',
    );
  }
  return token;
}

export async function resolveApiToken(
  settings: Pick<Settings, 'apiToken' | 'dataDir'>,
  logger: Logger,
): Promise<ResolvedApiToken> {
  if (settings.apiToken !== null) return { token: settings.apiToken, source: 'settings', path: null };
  const path = join(settings.dataDir, TOKEN_FILE_NAME);
  const existing = await readExisting(path, logger);
  if (existing !== null) {
    logger.info({ path }, 'API token read from the data directory');
    return { token: existing, source: 'data-dir-file', path };
  }
  await ensurePrivateDirectory(settings.dataDir);
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`);
  logger.info({ path }, 'generated an API token; changes through the API need it (read it from this file)');
  return { token, source: 'generated', path };
}
