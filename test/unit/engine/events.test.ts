import { describe, expect, it } from 'vitest';
import { eventKey, toContainerEvent } from '../../../src/engine/events.js';

const ID = 'df4eaec98224d738f5b636a5235faf8260280e7697d0f5cc8abc9d80e23fdfc2';

/** A message exactly as Docker 20.10 (API 1.41) sends it. */
function docker2010(action: string, attributes: Record<string, string> = {}) {
  return {
    status: action,
    id: ID,
    from: 'autoheal-test/busybox:latest',
    Type: 'container',
    Action: action,
    Actor: {
      ID,
      Attributes: {
        'com.example.team': 'web',
        autoheal: 'true',
        image: 'autoheal-test/busybox:latest',
        name: 'web',
        ...attributes,
      },
    },
    scope: 'local',
    time: 1795296612,
    timeNano: 1795296612123456800,
  };
}

describe('toContainerEvent', () => {
  it('maps a Docker 20.10 `health_status: unhealthy` to action health_status with health unhealthy', () => {
    const raw = docker2010('health_status: unhealthy');
    const line = JSON.stringify(raw).replace('1795296612123456800', '1795296612123456789');
    expect(toContainerEvent(JSON.parse(line), line)).toEqual({
      action: 'health_status',
      health: 'unhealthy',
      id: ID,
      name: 'web',
      labels: { 'com.example.team': 'web', autoheal: 'true' },
      time: 1795296612,
      timeNano: '1795296612123456789',
    });
  });

  it('keeps every digit of timeNano from the source line, which JSON.parse would round', () => {
    const line = `{"Type":"container","Action":"start","Actor":{"ID":"${ID}","Attributes":{"name":"web"}},"time":1795296612,"timeNano":1795296612123456789}`;
    expect(toContainerEvent(JSON.parse(line), line)?.timeNano).toBe('1795296612123456789');
    // Without the line the rounded value is still a decimal string.
    expect(toContainerEvent(JSON.parse(line))?.timeNano).toMatch(/^17952966121234567\d\d$/);
  });

  it('does not take timeNano from a label that looks like it', () => {
    const line = `{"Type":"container","Action":"start","Actor":{"ID":"${ID}","Attributes":{"name":"web","timeNano":"1"}},"time":5,"timeNano":5000000001}`;
    expect(toContainerEvent(JSON.parse(line), line)?.timeNano).toBe('5000000001');
  });

  it('reads the health of a bare `health_status` action from the attributes (newer / Podman style)', () => {
    const raw = {
      Type: 'container',
      Action: 'health_status',
      Actor: { ID, Attributes: { name: '/db', health_status: 'unhealthy' } },
      time: 10,
      timeNano: 10000000000,
    };
    const event = toContainerEvent(raw);
    expect(event).toMatchObject({ action: 'health_status', health: 'unhealthy', name: 'db', labels: {} });
    expect(
      toContainerEvent({ ...raw, Actor: { ID, Attributes: { name: 'db', healthStatus: 'healthy' } } })
        ?.health,
    ).toBe('healthy');
  });

  it('maps starting and healthy too', () => {
    expect(toContainerEvent(docker2010('health_status: healthy'))?.health).toBe('healthy');
    expect(toContainerEvent(docker2010('health_status: starting'))?.health).toBe('starting');
  });

  it('parses the exit code of a die event and keeps it out of the labels', () => {
    const event = toContainerEvent(docker2010('die', { exitCode: '137', execDuration: '3' }));
    expect(event).toMatchObject({
      action: 'die',
      exitCode: 137,
      labels: { 'com.example.team': 'web', autoheal: 'true' },
    });
  });

  it('leaves exitCode out when it is not a number', () => {
    expect(toContainerEvent(docker2010('die', { exitCode: 'boom' }))?.exitCode).toBeUndefined();
  });

  it('maps start, oom and destroy; a destroy without a name falls back to the short id', () => {
    expect(toContainerEvent(docker2010('start'))?.action).toBe('start');
    expect(toContainerEvent(docker2010('oom'))?.action).toBe('oom');
    const destroy = docker2010('destroy');
    destroy.Actor.Attributes = {} as typeof destroy.Actor.Attributes;
    expect(toContainerEvent(destroy)).toMatchObject({ action: 'destroy', name: ID.slice(0, 12) });
  });

  it('falls back to the deprecated `status`/`id` fields and derives time from timeNano', () => {
    const raw = { Type: 'container', status: 'start', id: ID, timeNano: 1795296612500000000 };
    expect(toContainerEvent(raw)).toMatchObject({ action: 'start', id: ID, time: 1795296612 });
  });

  it.each([
    ['a non-container type', { ...docker2010('start'), Type: 'network' }],
    ['an action autoheal does not use', docker2010('stop')],
    ['an exec action that shares a prefix', docker2010('exec_start: sh -c true')],
    ['a suffixed subscribed action', docker2010('start: something')],
    ['an unknown health', docker2010('health_status: sleepy')],
    ['a bare health_status without health attribute', docker2010('health_status')],
    ['a missing actor id', { Type: 'container', Action: 'start', time: 1 }],
    ['a short id', { Type: 'container', Action: 'start', Actor: { ID: 'abc' }, time: 1 }],
    ['an id that is not a string', { Type: 'container', Action: 'start', Actor: { ID: 42 }, time: 1 }],
    ['no time at all', { Type: 'container', Action: 'start', Actor: { ID } }],
    ['a negative time', { Type: 'container', Action: 'start', Actor: { ID }, time: -1 }],
    ['an action that is not a string', { Type: 'container', Action: ['start'], Actor: { ID }, time: 1 }],
    ['null', null],
    ['an array', [docker2010('start')]],
    ['a string', 'start'],
  ])('returns null for %s', (_what, raw) => {
    expect(toContainerEvent(raw)).toBeNull();
  });

  it('drops attribute values that are not strings', () => {
    const raw = docker2010('start');
    const attrs: Record<string, unknown> = { ...raw.Actor.Attributes, weird: { x: 1 }, n: 3 };
    const event = toContainerEvent({ ...raw, Actor: { ID, Attributes: attrs } });
    expect(event?.labels).toEqual({ 'com.example.team': 'web', autoheal: 'true' });
  });

  it('gives a replay the same key and a different health or time a different one', () => {
    const a = toContainerEvent(docker2010('health_status: unhealthy'));
    const b = toContainerEvent(docker2010('health_status: unhealthy'));
    const c = toContainerEvent(docker2010('health_status: healthy'));
    const d = toContainerEvent({ ...docker2010('health_status: unhealthy'), timeNano: 1795296613000000000 });
    if (!a || !b || !c || !d) throw new Error('expected events');
    expect(eventKey(a)).toBe(eventKey(b));
    expect(eventKey(a)).not.toBe(eventKey(c));
    expect(eventKey(a)).not.toBe(eventKey(d));
  });
});
