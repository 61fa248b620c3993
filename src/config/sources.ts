/**
 * Where raw settings come from before validation: the built-in defaults
 * (`config/default.json`) and the JSON file named by `AUTOHEAL_CONFIG`, each value turned
 * into the string an environment variable would hold.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SETTING_KEYS, type SettingKey } from './settings.js';
import { ConfigError } from './validators.js';

/** Every setting as a raw string (null: unset). */
export type Raw = Record<SettingKey, string | null>;

const DEFAULTS_FILE = new URL('../../config/default.json', import.meta.url);

/** `config/default.json`: `{ KEY: { default, doc } }`. */
const defaultsSchema = z.record(z.string(), z.object({ default: z.unknown(), doc: z.string() }));

/** Turns a JSON value of a config file (or of the defaults) into the string an env var would hold. */
function rawValue(key: string, value: unknown, source: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (key === 'AUTOHEAL_EXCLUDE' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value.join(',');
  }
  throw new ConfigError(`${key} in ${source} must be a string, number or boolean`);
}

export function readDefaults(): Raw {
  const parsed = defaultsSchema.parse(JSON.parse(readFileSync(DEFAULTS_FILE, 'utf8')));
  const raw = {} as Raw;
  for (const key of SETTING_KEYS) {
    const entry = parsed[key];
    if (!entry) throw new Error(`config/default.json lacks ${key}`);
    raw[key] = rawValue(key, entry.default, 'config/default.json');
  }
  return raw;
}

export function readConfigFile(path: string): Partial<Raw> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `AUTOHEAL_CONFIG: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`AUTOHEAL_CONFIG: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(
      `AUTOHEAL_CONFIG: ${path} must hold a JSON object of settings, e.g. {"AUTOHEAL_INTERVAL": 10}`,
    );
  }
  const out: Partial<Raw> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `AUTOHEAL_CONFIG: ${path} has an unknown setting ${key}; known: ${SETTING_KEYS.join(', ')}`,
      );
    }
    out[key as SettingKey] = rawValue(key, value, path);
  }
  return out;
}
