import { describe, expect, it } from 'vitest';
import type { ListName } from '../../../src/store/types.js';
import { Enrollment } from '../../../src/supervisor/enrollment-rules.js';

describe('enrollment as one object', () => {
  const lists: Record<ListName, string[]> = { excluded: ['db'], selected: [] };
  const enrollment = new Enrollment(
    { containerLabel: 'autoheal', exclude: ['cache', 'db'] },
    { getList: (name) => [...lists[name]] },
    'f'.repeat(64),
  );
  const web = { id: 'a'.repeat(64), name: 'web', labels: { autoheal: 'true' } };

  it('answers with the lists as they are now, the configured exclusions included once', () => {
    expect(enrollment.rules()).toEqual({
      labelKey: 'autoheal',
      excluded: ['cache', 'db'],
      selected: [],
      selfId: 'f'.repeat(64),
    });
    expect(enrollment.verdict(web).monitored).toBe(true);
    lists.excluded = ['web'];
    expect(enrollment.verdict(web)).toMatchObject({ monitored: false, reason: 'excluded' });
    lists.excluded = [];
  });

  it('never monitors autoheal itself', () => {
    expect(enrollment.verdict({ ...web, id: 'f'.repeat(64) })).toMatchObject({
      monitored: false,
      reason: 'self',
    });
  });
});
