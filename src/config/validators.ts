/**
 * What each kind of setting accepts: a validator per kind (integer in a range, boolean,
 * URL, container id, log level, label key, lists, token, host list) that turns the raw
 * string into a typed value, and `check`, which turns a refusal into a one-line
 * ConfigError naming the variable and what it accepts (never echoing a secret).
 */
import { z } from 'zod';
import { bareName, ID_PREFIX_SOURCE } from '../shared/container-ref.js';
import type { LogLevel, SettingKey } from './settings.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validators: each turns the raw string into a typed value or says what it accepts. */
export const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `accepts a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `accepts a whole number from ${min} to ${max}`)
        .max(max, `accepts a whole number from ${min} to ${max}`),
    );

export const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'accepts true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'accepts an http:// or https:// URL');

export const containerId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{12,64}$/, 'accepts a container id: 64 hex characters, or a prefix of at least 12');

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
export const logLevel = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (v): v is LogLevel => (LOG_LEVELS as readonly string[]).includes(v),
    `accepts one of ${LOG_LEVELS.join(', ')}`,
  )
  .transform((v) => v as LogLevel);

export const labelKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'accepts a label key such as autoheal, or all');

export const nonEmpty = z.string().trim().min(1, 'accepts a non-empty value');

/** An excluded entry: a name (with `*` wildcards) or 12 to 64 hex characters. */
export const LIST_ENTRY_PATTERN = new RegExp(`^(?:[a-zA-Z0-9*][a-zA-Z0-9_.*-]*|${ID_PREFIX_SOURCE})$`);
export const MAX_LIST_ENTRIES = 1000;
export const entryList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => bareName(s.trim()))
      .filter((s) => s.length > 0),
  )
  .refine((list) => list.length <= MAX_LIST_ENTRIES, `accepts at most ${MAX_LIST_ENTRIES} entries`)
  .refine(
    (list) => list.every((s) => s.length <= 255 && LIST_ENTRY_PATTERN.test(s)),
    'accepts comma-separated container names (letters, digits, _ . - and * wildcards) or ids of 12 to 64 hex characters',
  );

/** Settings whose value may carry a secret (a webhook's path is its password): never echoed. */
export const UNECHOED: ReadonlySet<SettingKey> = new Set([
  'WEBHOOK_URL',
  'APPRISE_URL',
  'AUTOHEAL_API_TOKEN',
  'AUTOHEAL_API_READ_TOKEN',
  'AUTOHEAL_PEER_TOKEN',
]);

/** A token a user sets: long enough not to be guessed, and nothing that could never match. */
export const MIN_TOKEN_LENGTH = 16;
export const MAKE_TOKEN = 'make one with: openssl rand -hex 32';

export function checkToken(key: SettingKey, token: string): string {
  if (/\s/.test(token)) {
    throw new ConfigError(
      `${key} (value not shown) is invalid: it contains whitespace, which a bearer token cannot carry; ${MAKE_TOKEN}`,
    );
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `${key} (value not shown) is too short: it needs at least ${MIN_TOKEN_LENGTH} characters; ${MAKE_TOKEN}`,
    );
  }
  return token;
}

/** `AUTOHEAL_API_READ_AUTH`: empty means automatic (null). */
export const triState = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (v) => ['', 'auto', 'true', 'false', '1', '0', 'yes', 'no'].includes(v),
    'accepts true, false or auto',
  )
  .transform((v) => (v === '' || v === 'auto' ? null : v === 'true' || v === '1' || v === 'yes'));

export const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
  )
  .refine(
    (list) => list.every((h) => h === '*' || /^[a-z0-9_]([a-z0-9_.-]{0,252})$/.test(h)),
    'accepts comma-separated host names (e.g. autoheal.example.com,autoheal) or *',
  );

export function check<T>(key: SettingKey, schema: z.ZodType<T, string>, value: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const shown = UNECHOED.has(key) ? `${key} (value not shown)` : `${key}=${JSON.stringify(value)}`;
  throw new ConfigError(`${shown} is invalid: it ${issue?.message ?? 'has the wrong form'}`);
}
