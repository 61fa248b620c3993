import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config/load.js';
import { SETTING_KEYS } from '../../src/config/settings.js';

function load(env: Record<string, string>) {
  return loadSettings({ env });
}

function errorOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'autoheal-config-'));
  const path = join(dir, 'autoheal.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('configuration', () => {
  it("defaults match willfarrell/docker-autoheal's", () => {
    const s = load({});
    expect(s).toMatchObject({
      containerLabel: 'autoheal',
      intervalS: 30,
      startPeriodS: 0,
      defaultStopTimeoutS: 10,
      requestTimeoutS: 30,
      webhookJsonKey: 'text',
      docker: { kind: 'unix', socketPath: '/var/run/docker.sock' },
      concurrency: 64,
      apiHost: '127.0.0.1',
      apiPort: 8080,
      dataDir: './data',
      eventsMax: 5000,
      logLevel: 'info',
      exclude: [],
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('every setting has a documented default, and the README names it', () => {
    const defaults = JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8'));
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of SETTING_KEYS) {
      expect(String(defaults[key]?.doc).length, key).toBeGreaterThan(20);
      expect(readme, `README lacks ${key}`).toContain(`\`${key}\``);
    }
    expect(Object.keys(defaults).sort()).toEqual([...SETTING_KEYS].sort());
  });

  it('precedence: defaults < AUTOHEAL_CONFIG file < environment', () => {
    const path = configFile({ AUTOHEAL_INTERVAL: 5, AUTOHEAL_CONCURRENCY: 3, AUTOHEAL_EXCLUDE: ['a', 'b'] });
    const s = load({ AUTOHEAL_CONFIG: path, AUTOHEAL_CONCURRENCY: '4' });
    expect(s.intervalS).toBe(5);
    expect(s.concurrency).toBe(4);
    expect(s.exclude).toEqual(['a', 'b']);
  });

  it('a bad value stops start-up with one line naming the variable and what it accepts', () => {
    const msg = errorOf({ AUTOHEAL_INTERVAL: 'soon' });
    expect(msg).toBe('AUTOHEAL_INTERVAL="soon" is invalid: it accepts a whole number from 1 to 86400');
    expect(msg).not.toContain('\n');
    expect(errorOf({ AUTOHEAL_ONLY_MONITOR_RUNNING: 'maybe' })).toMatch(
      /^AUTOHEAL_ONLY_MONITOR_RUNNING=.*true or false/,
    );
    expect(errorOf({ WEBHOOK_URL: 'ftp://x' })).toMatch(/^WEBHOOK_URL .*http/);
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL=/);
    expect(errorOf({ AUTOHEAL_EXCLUDE: 'web,bad name' })).toMatch(/^AUTOHEAL_EXCLUDE=/);
    expect(errorOf({ AUTOHEAL_CONCURRENCY: '0' })).toMatch(/^AUTOHEAL_CONCURRENCY=/);
    expect(errorOf({ AUTOHEAL_BACKOFF_INITIAL: '60', AUTOHEAL_BACKOFF_MAX: '30' })).toMatch(
      /^AUTOHEAL_BACKOFF_MAX=/,
    );
    expect(errorOf({ AUTOHEAL_API_TOKEN: 'short' })).toMatch(/^AUTOHEAL_API_TOKEN is invalid/);
  });

  it('a bad value never echoes the token or a webhook URL (its path is a secret)', () => {
    expect(errorOf({ AUTOHEAL_API_TOKEN: 'sec' })).not.toContain('sec');
    const msg = errorOf({ WEBHOOK_URL: 'hooks.example.com/services/T000/B000/s3cr3t' });
    expect(msg).toBe('WEBHOOK_URL (value not shown) is invalid: it accepts an http:// or https:// URL');
    expect(errorOf({ APPRISE_URL: 'apprise:8000/notify/s3cr3t' })).not.toContain('s3cr3t');
  });

  it('a broken AUTOHEAL_CONFIG file is named in the error', () => {
    expect(errorOf({ AUTOHEAL_CONFIG: '/nonexistent/autoheal.json' })).toMatch(
      /^AUTOHEAL_CONFIG: cannot read/,
    );
    expect(errorOf({ AUTOHEAL_CONFIG: configFile('{nope') })).toMatch(/is not valid JSON/);
    expect(errorOf({ AUTOHEAL_CONFIG: configFile({ AUTOHEAL_INTERVALL: 5 }) })).toMatch(
      /unknown setting AUTOHEAL_INTERVALL/,
    );
    expect(errorOf({ AUTOHEAL_CONFIG: configFile([1]) })).toMatch(/must hold a JSON object/);
  });

  it('AUTOHEAL_EXCLUDE is split on commas, trimmed, without leading slashes', () => {
    expect(load({ AUTOHEAL_EXCLUDE: ' web, /db ,,test-*' }).exclude).toEqual(['web', 'db', 'test-*']);
  });

  it('DOCKER_SOCK wins over DOCKER_HOST; DOCKER_HOST is used when DOCKER_SOCK is unset', () => {
    expect(load({ DOCKER_SOCK: '/run/a.sock', DOCKER_HOST: 'tcp://h:2375' }).docker).toEqual({
      kind: 'unix',
      socketPath: '/run/a.sock',
    });
    expect(load({ DOCKER_HOST: 'unix:///run/b.sock' }).docker).toEqual({
      kind: 'unix',
      socketPath: '/run/b.sock',
    });
    expect(load({ DOCKER_HOST: 'tcp://proxy:2375' }).docker).toEqual({
      kind: 'tcp',
      host: 'proxy',
      port: 2375,
    });
  });

  it('tcp:// and tcps:// endpoints, TLS files from DOCKER_CERT_PATH', () => {
    expect(load({ DOCKER_SOCK: 'tcp://10.0.0.2:2375' }).docker).toEqual({
      kind: 'tcp',
      host: '10.0.0.2',
      port: 2375,
    });
    expect(load({ DOCKER_SOCK: 'tcps://docker:2376', DOCKER_CERT_PATH: '/c' }).docker).toEqual({
      kind: 'tls',
      host: 'docker',
      port: 2376,
      certPath: '/c',
    });
    expect(load({ DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1' }).docker).toMatchObject({
      kind: 'tls',
    });
    expect(errorOf({ DOCKER_SOCK: 'ssh://me@host' })).toMatch(/^DOCKER_SOCK=.*unix socket path/);
  });

  it('the API token comes from AUTOHEAL_API_TOKEN, else from AUTOHEAL_API_TOKEN_FILE', () => {
    expect(load({ AUTOHEAL_API_TOKEN: 'a-long-token' }).apiToken).toBe('a-long-token');
    const path = configFile('from-a-file-123\n');
    expect(load({ AUTOHEAL_API_TOKEN_FILE: path }).apiToken).toBe('from-a-file-123');
    expect(errorOf({ AUTOHEAL_API_TOKEN_FILE: '/nonexistent/token' })).toMatch(
      /^AUTOHEAL_API_TOKEN_FILE: cannot read/,
    );
    expect(load({}).apiToken).toBeNull();
  });
});
