/**
 * The trail's shared pieces: the hand-written record check used when reading segments back
 * agrees with the schema, and the restart tally forgets names whose restarts left the history.
 */
import { describe, expect, it } from 'vitest';
import { auditEventSchema, RestartTally, readAuditEvent } from '../../../src/store/audit-trail.js';

const good = {
  id: 3,
  timestamp: '2026-01-01T00:00:00.000Z',
  event_type: 'restart',
  container_id: 'abc',
  container_name: 'web',
  status: 'success',
  restart_count: 2,
  message: 'm',
  details: { a: 1 },
};

describe('reading an event record back', () => {
  it.each([
    ['a complete event', good],
    [
      'an event with the optional fields left out',
      { id: 1, timestamp: 't', event_type: 'engine', status: 's', message: 'm' },
    ],
    ['an unknown type', { ...good, event_type: 'bogus' }],
    ['an id of 0', { ...good, id: 0 }],
    ['a fractional id', { ...good, id: 1.5 }],
    ['a string id', { ...good, id: '3' }],
    ['no timestamp', { ...good, timestamp: undefined }],
    ['a numeric container name', { ...good, container_name: 7 }],
    ['a negative restart count', { ...good, restart_count: -1 }],
    ['details that are a list', { ...good, details: [1] }],
    ['null details', { ...good, details: null }],
    ['null', null],
    ['a list', [good]],
  ])('agrees with the schema on %s', (_, record) => {
    const parsed = auditEventSchema.safeParse(record);
    expect(readAuditEvent(record)).toEqual(parsed.success ? parsed.data : null);
  });
});

describe('the restart tally', () => {
  it('counts per name and forgets a name once all its restarts are below the floor', () => {
    const tally = new RestartTally();
    tally.add({ id: 1, name: 'gone', at: 'a' });
    tally.add({ id: 2, name: 'web', at: 'b' });
    tally.add({ id: 5, name: 'web', at: 'c' });

    tally.dropBelow(3);

    expect(tally.count('gone')).toBe(0);
    expect(tally.count('web')).toBe(1);
    expect(tally.lastAt('web')).toBe('c');
    expect(tally.names).toBe(1);
  });

  it('follows a floor that moves one id at a time through many names, and entries added out of order', () => {
    const tally = new RestartTally();
    tally.add({ id: 7, name: 'late', at: 'x' });
    tally.add({ id: 3, name: 'late', at: 'w' }); // a reload may hand entries out of order
    for (let id = 10; id < 2010; id += 1) tally.add({ id, name: `c-${id % 500}`, at: String(id) });
    for (let floor = 1; floor <= 1510; floor += 1) tally.dropBelow(floor);

    expect(tally.count('late')).toBe(0);
    // Ids 1510..2009 are left: one per name.
    expect(tally.names).toBe(500);
    expect(tally.count('c-10')).toBe(1);
    expect(tally.lastAt('c-10')).toBe('1510');
    tally.dropBelow(2010);
    expect(tally.names).toBe(0);
  });
});
