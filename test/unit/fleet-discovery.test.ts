import { describe, expect, it } from 'vitest';
import type { PeerSpec } from '../../src/config/settings.js';
import { expandPeers, PeerDirectory } from '../../src/fleet/discovery.js';
import { silentLogger } from '../../src/log.js';

const self = { addresses: new Set(['10.0.1.5', '127.0.0.1', 'fd00::5']), port: 8080 };

describe('peer discovery', () => {
  it('expands tasks.<service> to one URL per task address and leaves this autoheal out', () => {
    const specs: PeerSpec[] = [
      { kind: 'dns', name: 'tasks.autoheal', port: 8080 },
      { kind: 'url', url: 'http://10.0.1.7:8080' },
    ];
    const resolved = new Map([['tasks.autoheal', ['10.0.1.5', '10.0.1.6', '10.0.1.7', 'fd00::9']]]);
    expect(expandPeers(specs, resolved, self)).toEqual([
      'http://10.0.1.6:8080',
      'http://10.0.1.7:8080',
      'http://[fd00::9]:8080',
    ]);
  });

  it('keeps a URL on its own address but another port (two autoheals on one machine)', () => {
    const specs: PeerSpec[] = [
      { kind: 'url', url: 'http://127.0.0.1:8080' },
      { kind: 'url', url: 'http://127.0.0.1:9090' },
    ];
    expect(expandPeers(specs, new Map(), self)).toEqual(['http://127.0.0.1:9090']);
  });

  it('re-resolves, keeps the last addresses when a lookup fails, and reports the failure', async () => {
    let answer: string[] | Error = ['10.0.1.6'];
    const directory = new PeerDirectory({
      specs: [{ kind: 'dns', name: 'tasks.autoheal', port: 8080 }],
      ownPort: () => 8080,
      logger: silentLogger(),
      addresses: () => self.addresses,
      resolve: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    expect(directory.configured).toBe(true);
    expect(directory.peers()).toEqual([]);
    await directory.refresh();
    expect(directory.peers()).toEqual(['http://10.0.1.6:8080']);
    answer = ['10.0.1.8', '10.0.1.6', '10.0.1.5'];
    await directory.refresh();
    expect(directory.peers()).toEqual(['http://10.0.1.6:8080', 'http://10.0.1.8:8080']);
    answer = new Error('getaddrinfo ENOTFOUND tasks.autoheal');
    await directory.refresh();
    expect(directory.peers()).toEqual(['http://10.0.1.6:8080', 'http://10.0.1.8:8080']);
    expect(directory.problems()).toEqual([
      {
        peer: 'dns+tasks.autoheal:8080',
        error: 'cannot resolve tasks.autoheal: getaddrinfo ENOTFOUND tasks.autoheal',
      },
    ]);
    answer = ['10.0.1.6'];
    await directory.refresh();
    expect(directory.problems()).toEqual([]);
  });
});
