import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CONTAINER_LOGGERS_KEPT, containerLogger } from '../../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('container loggers', () => {
  it('put the container name and short id on every line', async () => {
    const { lines, logger } = capture();
    containerLogger(logger, 'web', 'a'.repeat(64)).info('restarted');
    containerLogger(logger, 'db').info('healthy');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.container, l.container_id, l.msg])).toEqual([
      ['web', 'aaaaaaaaaaaa', 'restarted'],
      ['db', undefined, 'healthy'],
    ]);
  });

  it('are made once per parent, name and id, not once per event', () => {
    const { logger } = capture();
    const other = logger.child({ component: 'heal' });
    const a = containerLogger(logger, 'web', 'a'.repeat(64));
    expect(containerLogger(logger, 'web', 'a'.repeat(64))).toBe(a);
    expect(containerLogger(logger, 'web', 'b'.repeat(64))).not.toBe(a);
    expect(containerLogger(logger, 'web-2', 'a'.repeat(64))).not.toBe(a);
    expect(containerLogger(other, 'web', 'a'.repeat(64))).not.toBe(a);
  });

  it('keep a bounded number per parent, so a churning host does not grow them forever', () => {
    const { logger } = capture();
    const first = containerLogger(logger, 'c-0');
    const firstWithId = containerLogger(logger, 'd-0', '0'.repeat(64));
    for (let i = 1; i <= CONTAINER_LOGGERS_KEPT; i += 1) {
      containerLogger(logger, `c-${i}`);
      containerLogger(logger, `d-${i}`, i.toString(16).padStart(64, '0'));
    }
    expect(containerLogger(logger, 'c-0')).not.toBe(first);
    expect(containerLogger(logger, 'd-0', '0'.repeat(64))).not.toBe(firstWithId);
  });

  it('are kept for a fleet of 2,000 containers that a flood cycles through', () => {
    const { logger } = capture();
    const ids = Array.from({ length: 2000 }, (_, i) => i.toString(16).padStart(64, '0'));
    const first = ids.map((id, i) => containerLogger(logger, `c-${i}`, id));
    const again = ids.map((id, i) => containerLogger(logger, `c-${i}`, id));
    expect(again.every((l, i) => l === first[i])).toBe(true);
  });
});
