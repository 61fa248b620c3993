/**
 * autoheal tells when it cannot do its job: the engine unreachable for over a minute, the
 * store unwritable, and each recovery, once per outage. A fake clock, no timers.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { duration, NOTICES } from '../../../src/notify/notices.js';
import { OutageNotices } from '../../../src/supervisor/outage-notices.js';

const S = 1000;

function setup() {
  let t = Date.UTC(2026, 11, 3, 12);
  const sent: string[] = [];
  const store = { status: { ok: true, lastError: null as string | null, pendingWrites: false } };
  const outages = new OutageNotices({
    notice: (text) => sent.push(text),
    store: { writeStatus: () => store.status },
    dataDir: '/data',
    logger: silentLogger(),
    now: () => t,
  });
  const advance = (ms: number) => {
    // The periodic look, every 5 s, as the timer would make it.
    for (let left = ms; left > 0; left -= 5 * S) {
      t += Math.min(5 * S, left);
      outages.tick();
    }
  };
  return { outages, sent, store, advance };
}

describe('the engine out of reach', () => {
  it('an outage longer than a minute is told once, and its end once', () => {
    const { outages, sent, advance } = setup();
    outages.engineUp();
    outages.engineDown('connect ENOENT /var/run/docker.sock');
    advance(60 * S);
    expect(sent).toEqual([]);
    advance(5 * S);
    expect(sent).toEqual([
      'autoheal cannot reach the Docker engine (for 65 s): connect ENOENT /var/run/docker.sock; it reacts to no engine event until it is back, and heals only what a reconcile can still list',
    ]);
    // Every failed reconnect reports the loss again: no flood.
    for (let i = 0; i < 20; i++) {
      outages.engineDown('connect ECONNREFUSED');
      advance(30 * S);
    }
    expect(sent).toHaveLength(1);
    outages.engineUp();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(
      'autoheal reaches the Docker engine again, after 11 min without it; it reacts to engine events at once again',
    );
    outages.engineUp();
    expect(sent).toHaveLength(2);
  });

  it('an outage shorter than a minute, however often, sends nothing', () => {
    const { outages, sent, advance } = setup();
    for (let i = 0; i < 10; i++) {
      outages.engineUp();
      advance(30 * S);
      outages.engineDown('socket hang up');
      advance(50 * S);
    }
    outages.engineUp();
    expect(sent).toEqual([]);
  });

  it('an engine never reached since autoheal started is an outage too', () => {
    const { sent, advance } = setup();
    advance(65 * S);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(
      /^autoheal cannot reach the Docker engine \(for 65 s\): not connected since autoheal started/,
    );
  });
});

describe('the store unwritable', () => {
  it('is told at the first look that sees the failed write, and its end once', () => {
    const { outages, sent, store, advance } = setup();
    outages.engineUp();
    store.status = { ok: false, lastError: 'EROFS: read-only file system', pendingWrites: true };
    advance(5 * S);
    expect(sent).toEqual([
      'autoheal cannot write its store in /data: EROFS: read-only file system; it keeps healing and keeps the audit events in memory until the store is writable again',
    ]);
    advance(10 * 60 * S);
    expect(sent).toHaveLength(1);
    store.status = { ok: true, lastError: null, pendingWrites: false };
    advance(5 * S);
    expect(sent[1]).toBe(
      'autoheal can write its store in /data again, after 10 min; the events kept in memory are saved',
    );
    advance(60 * S);
    expect(sent).toHaveLength(2);
  });
});

describe('the words', () => {
  it('durations read as seconds, minutes or hours', () => {
    expect(duration(45 * S)).toBe('45 s');
    expect(duration(5 * 60 * S)).toBe('5 min');
    expect(duration(3 * 3600 * S)).toBe('3 h');
  });

  it('the start-up notice names the version, the label and the interval', () => {
    expect(NOTICES.started({ version: '1.2.3', label: 'autoheal', intervalS: 30 })).toBe(
      'autoheal 1.2.3 started: monitoring containers labelled autoheal=true, reconciling every 30 s',
    );
    expect(NOTICES.started({ version: '1.2.3', label: 'all', intervalS: 5 })).toMatch(/all containers/);
  });
});

describe('a shutdown', () => {
  it('is no outage: once stopped, neither the stream closing nor the store tells anything', () => {
    const { outages, sent, store, advance } = setup();
    outages.engineUp();
    outages.stop();
    outages.engineDown('the event stream was closed');
    store.status = { ok: false, lastError: 'EROFS', pendingWrites: true };
    advance(120 * S);
    expect(sent).toEqual([]);
  });
});
