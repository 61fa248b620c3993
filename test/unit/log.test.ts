import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { containerLogger } from '../../src/log.js';

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
    for (let i = 1; i <= 1024; i += 1) containerLogger(logger, `c-${i}`);
    expect(containerLogger(logger, 'c-0')).not.toBe(first);
  });
});
