import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../../src/config/load.js';
import { readsNeedToken, SETTING_KEYS } from '../../../src/config/settings.js';

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

  it('AUTOHEAL_SELF_ID takes a full id or a prefix of at least 12 hex characters, and says so otherwise', () => {
    const full = 'ab'.repeat(32);
    expect(load({}).selfId).toBeNull();
    expect(load({ AUTOHEAL_SELF_ID: full }).selfId).toBe(full);
    expect(load({ AUTOHEAL_SELF_ID: ` ${full.slice(0, 12).toUpperCase()} ` }).selfId).toBe(full.slice(0, 12));
    for (const bad of ['abc123', 'z'.repeat(64), `${full}a`, 'my-autoheal']) {
      expect(errorOf({ AUTOHEAL_SELF_ID: bad })).toBe(
        `AUTOHEAL_SELF_ID=${JSON.stringify(bad)} is invalid: it accepts a container id: 64 hex characters, or a prefix of at least 12`,
      );
    }
  });

  it('every setting has a documented default, and the README names it', () => {
    const defaults = JSON.parse(
      readFileSync(new URL('../../../config/default.json', import.meta.url), 'utf8'),
    );
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const key of SETTING_KEYS) {
      expect(String(defaults[key]?.doc).length, key).toBeGreaterThan(20);
      expect(readme, `README lacks ${key}`).toContain(`\`${key}\``);
    }
    expect(Object.keys(defaults).sort()).toEqual([...SETTING_KEYS].sort());
  });

  it('re-creating dependents is off by default and turned on by AUTOHEAL_RECREATE_DEPENDENTS', () => {
    expect(load({}).recreateDependents).toBe(false);
    expect(load({ AUTOHEAL_RECREATE_DEPENDENTS: 'true' }).recreateDependents).toBe(true);
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
    expect(errorOf({ AUTOHEAL_RECREATE_DEPENDENTS: 'sometimes' })).toBe(
      'AUTOHEAL_RECREATE_DEPENDENTS="sometimes" is invalid: it accepts true or false',
    );
    expect(errorOf({ AUTOHEAL_NOTIFY_STARTUP: 'on' })).toBe(
      'AUTOHEAL_NOTIFY_STARTUP="on" is invalid: it accepts true or false',
    );
    expect(load({ AUTOHEAL_NOTIFY_STARTUP: 'true' }).notifyStartup).toBe(true);
    expect(load({}).notifyStartup).toBe(false);
    expect(load({}).engineNoticeAfterS).toBe(60);
    expect(load({ AUTOHEAL_ENGINE_NOTICE_AFTER: '15' }).engineNoticeAfterS).toBe(15);
    expect(errorOf({ AUTOHEAL_ENGINE_NOTICE_AFTER: '1' })).toMatch(
      /^AUTOHEAL_ENGINE_NOTICE_AFTER="1" is invalid/,
    );
    expect(errorOf({ WEBHOOK_URL: 'ftp://x' })).toMatch(/^WEBHOOK_URL .*http/);
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL=/);
    expect(errorOf({ AUTOHEAL_EXCLUDE: 'web,bad name' })).toMatch(/^AUTOHEAL_EXCLUDE=/);
    expect(errorOf({ AUTOHEAL_CONCURRENCY: '0' })).toMatch(/^AUTOHEAL_CONCURRENCY=/);
    expect(errorOf({ AUTOHEAL_BACKOFF_INITIAL: '60', AUTOHEAL_BACKOFF_MAX: '30' })).toMatch(
      /^AUTOHEAL_BACKOFF_MAX=/,
    );
    expect(errorOf({ AUTOHEAL_API_TOKEN: 'short' })).toMatch(/^AUTOHEAL_API_TOKEN .*too short/);
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
    expect(load({ AUTOHEAL_API_TOKEN: 'a-long-token-0123' }).apiToken).toBe('a-long-token-0123');
    const path = configFile('from-a-file-0123456789\n');
    expect(load({ AUTOHEAL_API_TOKEN_FILE: path }).apiToken).toBe('from-a-file-0123456789');
    expect(errorOf({ AUTOHEAL_API_TOKEN_FILE: '/nonexistent/token' })).toMatch(
      /^AUTOHEAL_API_TOKEN_FILE: cannot read/,
    );
    expect(load({}).apiToken).toBeNull();
  });

  it('a token shorter than 16 characters stops start-up, saying how to make one', () => {
    for (const key of ['AUTOHEAL_API_TOKEN', 'AUTOHEAL_API_READ_TOKEN']) {
      const msg = errorOf({ [key]: 'fifteen-chars-x' });
      expect(msg).toBe(
        `${key} (value not shown) is too short: it needs at least 16 characters; make one with: openssl rand -hex 32`,
      );
      expect(load({ [key]: 'sixteen-chars-xx' })).toBeTruthy();
    }
    expect(errorOf({ AUTOHEAL_API_TOKEN_FILE: configFile('short\n') })).toMatch(/too short/);
  });

  it('whitespace inside a token stops start-up (it could never match), without echoing it', () => {
    const msg = errorOf({ AUTOHEAL_API_TOKEN: 'correct horse battery staple' });
    expect(msg).toMatch(/^AUTOHEAL_API_TOKEN .*contains whitespace/);
    expect(msg).not.toContain('horse');
    expect(errorOf({ AUTOHEAL_API_READ_TOKEN_FILE: configFile('0123456789\tabcdefgh\n') })).toMatch(
      /^AUTOHEAL_API_READ_TOKEN .*whitespace/,
    );
  });

  it('the read token comes from AUTOHEAL_API_READ_TOKEN or its file, and must differ from the change token', () => {
    const path = configFile('read-token-from-a-file\n');
    expect(load({ AUTOHEAL_API_READ_TOKEN_FILE: path }).apiReadToken).toBe('read-token-from-a-file');
    expect(
      errorOf({ AUTOHEAL_API_TOKEN: 'same-token-0123456', AUTOHEAL_API_READ_TOKEN: 'same-token-0123456' }),
    ).toMatch(/must differ from AUTOHEAL_API_TOKEN/);
  });

  it('reads need a token on a non-loopback address unless AUTOHEAL_API_READ_AUTH says otherwise', () => {
    expect(readsNeedToken(load({}))).toBe(false);
    expect(readsNeedToken(load({ AUTOHEAL_API_HOST: '::1' }))).toBe(false);
    expect(readsNeedToken(load({ AUTOHEAL_API_HOST: 'localhost' }))).toBe(false);
    expect(readsNeedToken(load({ AUTOHEAL_API_HOST: '0.0.0.0' }))).toBe(true);
    expect(readsNeedToken(load({ AUTOHEAL_API_HOST: '0.0.0.0', AUTOHEAL_API_READ_AUTH: 'false' }))).toBe(
      false,
    );
    expect(readsNeedToken(load({ AUTOHEAL_API_READ_AUTH: 'true' }))).toBe(true);
    expect(errorOf({ AUTOHEAL_API_READ_AUTH: 'maybe' })).toMatch(
      /^AUTOHEAL_API_READ_AUTH=.*true, false or auto/,
    );
  });

  it('AUTOHEAL_API_ALLOWED_HOSTS is a comma list of host names or *', () => {
    expect(load({ AUTOHEAL_API_ALLOWED_HOSTS: ' Autoheal.Example.com , autoheal ' }).allowedHosts).toEqual([
      'autoheal.example.com',
      'autoheal',
    ]);
    expect(load({ AUTOHEAL_API_ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
    expect(errorOf({ AUTOHEAL_API_ALLOWED_HOSTS: 'http://x/' })).toMatch(/^AUTOHEAL_API_ALLOWED_HOSTS=/);
  });

  it('WEBHOOK_URL_FILE and APPRISE_URL_FILE hold the URLs; a bad one is not echoed', () => {
    const hook = configFile('https://hooks.example.com/services/T0/B0/s3cr3t\n');
    const s = load({ WEBHOOK_URL_FILE: hook, APPRISE_URL_FILE: configFile('http://apprise:8000/notify/k') });
    expect(s.webhookUrl).toBe('https://hooks.example.com/services/T0/B0/s3cr3t');
    expect(s.appriseUrl).toBe('http://apprise:8000/notify/k');
    const bad = errorOf({ WEBHOOK_URL_FILE: configFile('hooks.example.com/s3cr3t') });
    expect(bad).toBe('WEBHOOK_URL (value not shown) is invalid: it accepts an http:// or https:// URL');
    expect(errorOf({ APPRISE_URL_FILE: '/nonexistent/url' })).toMatch(/^APPRISE_URL_FILE: cannot read/);
  });

  it("the post-restart script's environment is autoheal's minus its secrets", () => {
    const env = load({
      PATH: '/usr/bin',
      MY_SCRIPT_SETTING: 'kept',
      AUTOHEAL_API_TOKEN: 'change-token-0123456',
      AUTOHEAL_API_READ_TOKEN: 'read-token-0123456789',
      AUTOHEAL_API_TOKEN_FILE: '/run/secrets/t',
      WEBHOOK_URL: 'https://hooks.example.com/s3cr3t',
      APPRISE_URL: 'http://apprise/notify/k',
      AUTOHEAL_INTERVAL: '5',
    }).scriptEnv;
    expect(env).toEqual({ PATH: '/usr/bin', MY_SCRIPT_SETTING: 'kept', AUTOHEAL_INTERVAL: '5' });
  });
});
