import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/fleet/fleet.js';
import { NoAnswerError } from '../../src/fleet/gather.js';
import { hostCounts, mergeEvents } from '../../src/fleet/merge.js';
import { silentLogger } from '../../src/log.js';
import { container, event, FakeHost } from '../support/fleet-fakes.js';

function fleetOf(local: FakeHost, peers: FakeHost[], problems: { peer: string; error: string }[] = []) {
  const byUrl = new Map(peers.map((p) => [p.url, p]));
  return new Fleet({
    local,
    directory: { configured: true, peers: () => [...byUrl.keys()], problems: () => problems },
    peerToken: 'peer-token-123',
    logger: silentLogger(),
    peerSource: (url) => byUrl.get(url) as FakeHost,
  });
}

/** A deadline the test fires by hand: no wall clock. */
function deadline() {
  const controller = new AbortController();
  return { signal: controller.signal, fire: () => controller.abort(new NoAnswerError(2000)) };
}

describe('the fleet view', () => {
  it('counts containers, monitored, unhealthy and given up per host', () => {
    expect(
      hostCounts([
        container('a', { health: 'unhealthy' }),
        container('b', { gave_up: true, health: 'unhealthy' }),
        container('c', { monitored: false, health: 'unhealthy' }),
      ]),
    ).toEqual({ containers: 3, monitored: 2, unhealthy: 2, given_up: 1 });
  });

  it('merges events newest first across hosts, each with its host, ids being per host', () => {
    const merged = mergeEvents(
      [
        {
          host: 'alpha',
          events: [event(7, '2026-12-01T10:00:03.000Z', 'web'), event(6, '2026-12-01T10:00:00.000Z', 'db')],
        },
        {
          host: 'beta',
          events: [event(7, '2026-12-01T10:00:02.000Z', 'cache'), event(1, '2026-12-01T10:00:00.000Z', 'q')],
        },
      ],
      3,
    );
    expect(merged.map((e) => [e.host, e.id, e.container_name])).toEqual([
      ['alpha', 7, 'web'],
      ['beta', 7, 'cache'],
      ['alpha', 6, 'db'],
    ]);
  });

  it('lists this host first and every peer with its counts; a down peer is down, with its error', async () => {
    const local = new FakeHost('', 'alpha', [container('web')], [], true);
    const up = new FakeHost('http://10.0.0.2:8080', 'beta', [container('db', { gave_up: true })]);
    const down = new FakeHost('http://10.0.0.3:8080', 'gamma');
    down.behaviour = 'fail';
    const fleet = fleetOf(local, [down, up], [{ peer: 'dns+tasks.x:8080', error: 'cannot resolve tasks.x' }]);
    const { configured, hosts } = await fleet.hosts();
    expect(configured).toBe(true);
    expect(hosts.map((h) => [h.host, h.self, h.ok])).toEqual([
      ['alpha', true, true],
      ['10.0.0.3:8080', false, false],
      ['beta', false, true],
      ['dns+tasks.x:8080', false, false],
    ]);
    expect(hosts[2]).toMatchObject({
      url: 'http://10.0.0.2:8080',
      ui_url: 'http://10.0.0.2:8080/',
      version: '1.2.3',
      counts: { containers: 1, monitored: 1, unhealthy: 0, given_up: 1 },
    });
    expect(hosts[1]).toMatchObject({
      error: 'cannot reach http://10.0.0.3:8080: ECONNREFUSED',
      counts: null,
    });
    expect(hosts[3]?.error).toBe('cannot resolve tasks.x');
  });

  it('a peer that does not answer is reported when the deadline fires, with the others answered', async () => {
    const local = new FakeHost('', 'alpha', [container('web')], [], true);
    const slow = new FakeHost('http://10.0.0.9:8080', 'slow', [container('x')]);
    slow.behaviour = 'hang';
    const fast = new FakeHost('http://10.0.0.2:8080', 'beta', [container('db')]);
    const fleet = fleetOf(local, [slow, fast]);
    const d = deadline();
    const pending = fleet.containers(d.signal);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    d.fire();
    const { containers, hosts } = await pending;
    expect(containers.map((c) => [c.host, c.name])).toEqual([
      ['alpha', 'web'],
      ['beta', 'db'],
    ]);
    expect(hosts.find((h) => h.url === slow.url)).toMatchObject({ ok: false, error: 'no answer within 2 s' });
  });

  it('passes the event filters to every host and merges their answers', async () => {
    const local = new FakeHost('', 'alpha', [], [event(2, '2026-12-01T10:00:01.000Z', 'web')], true);
    const peer = new FakeHost(
      'http://10.0.0.2:8080',
      'beta',
      [],
      [event(9, '2026-12-01T10:00:05.000Z', 'db')],
    );
    const fleet = fleetOf(local, [peer]);
    const { events, hosts } = await fleet.events({ limit: 10, type: 'restart', container: 'db' });
    expect(events.map((e) => `${e.host}#${e.id}`)).toEqual(['beta#9', 'alpha#2']);
    expect(peer.queries).toEqual([{ limit: 10, type: 'restart', container: 'db' }]);
    expect(hosts.every((h) => h.ok)).toBe(true);
  });

  it('follows every host into one stream, each event with its host, and says when a host is down', async () => {
    const local = new FakeHost('', 'alpha', [], [], true);
    const peer = new FakeHost('http://10.0.0.2:8080', 'beta');
    const down = new FakeHost('http://10.0.0.3:8080', 'gamma');
    down.behaviour = 'fail';
    const fleet = fleetOf(local, [peer, down]);
    const items: string[] = [];
    const controller = new AbortController();
    const following = fleet.follow((item) => {
      items.push(
        item.kind === 'audit'
          ? `audit ${item.event.host}#${item.event.id}`
          : `host ${item.host.host} ${item.host.ok ? 'up' : `down: ${item.host.error}`}`,
      );
    }, controller.signal);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    local.emit(event(3, '2026-12-01T10:00:00.000Z', 'web'));
    peer.emit(event(3, '2026-12-01T10:00:00.000Z', 'db'));
    controller.abort();
    await following;
    expect(items).toEqual(
      expect.arrayContaining([
        'host alpha up',
        'host beta up',
        'host 10.0.0.3:8080 down: cannot reach http://10.0.0.3:8080: ECONNREFUSED',
        'audit alpha#3',
        'audit beta#3',
      ]),
    );
  });
});
