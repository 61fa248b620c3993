import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config/load.js';

function errorOf(env: Record<string, string>, readFile?: (p: string) => string): string {
  try {
    loadSettings({ env, ...(readFile && { readFile }) });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('fleet settings', () => {
  it('without AUTOHEAL_PEERS there is no fleet', () => {
    const s = loadSettings({ env: {} });
    expect(s.peers).toEqual([]);
    expect(s.peerToken).toBeNull();
    expect(s.publicUrl).toBeNull();
  });

  it('reads base URLs and dns+tasks names, trimmed and without duplicates', () => {
    const s = loadSettings({
      env: {
        AUTOHEAL_PEERS:
          ' http://a.example:8080/ , https://b.example:8443/autoheal,dns+tasks.autoheal:8080,http://a.example:8080',
      },
    });
    expect(s.peers).toEqual([
      { kind: 'url', url: 'http://a.example:8080' },
      { kind: 'url', url: 'https://b.example:8443/autoheal' },
      { kind: 'dns', name: 'tasks.autoheal', port: 8080 },
    ]);
  });

  it.each([
    ['ftp://a:21', 'is not an http:// or https:// URL'],
    ['a.example:8080', 'is not an http:// or https:// URL'],
    ['not a url', 'is neither a URL nor dns+tasks'],
    ['dns+autoheal:8080', 'is not dns+tasks.<service>:<port>'],
    ['dns+tasks.autoheal', 'is not dns+tasks.<service>:<port>'],
    ['dns+tasks.autoheal:70000', 'with a port from 1 to 65535'],
    ['http://user:pw@a:8080', 'must be a bare base URL'],
  ])('refuses %s with one line naming it and what is accepted', (value, reason) => {
    const message = errorOf({ AUTOHEAL_PEERS: value });
    expect(message).toContain('AUTOHEAL_PEERS is invalid');
    expect(message).toContain(reason);
    expect(message).toContain('accepts comma-separated base URLs');
    expect(message).not.toContain('\n');
    if (value.includes('pw@')) expect(message).not.toContain(':pw@');
  });

  it('reads the peer token from its file, and refuses a short or unreadable one without showing it', () => {
    const s = loadSettings({
      env: { AUTOHEAL_PEER_TOKEN_FILE: '/run/secrets/peer' },
      readFile: () => 'peer-read-token-0123\n',
    });
    expect(s.peerToken).toBe('peer-read-token-0123');
    expect(s.peerTokenFile).toBe('/run/secrets/peer');
    const short = errorOf({ AUTOHEAL_PEER_TOKEN: 'abc' });
    expect(short).toMatch(
      /^AUTOHEAL_PEER_TOKEN \(value not shown\) is too short: it needs at least 16 characters/,
    );
    const missing = errorOf({ AUTOHEAL_PEER_TOKEN_FILE: '/nope' }, () => {
      throw Object.assign(new Error('x'), { code: 'ENOENT' });
    });
    expect(missing).toBe('AUTOHEAL_PEER_TOKEN_FILE: cannot read /nope (ENOENT)');
  });

  it('refuses a public URL that is not http(s)', () => {
    expect(errorOf({ AUTOHEAL_PUBLIC_URL: 'host:8080' })).toContain(
      'AUTOHEAL_PUBLIC_URL="host:8080" is invalid',
    );
  });
});
