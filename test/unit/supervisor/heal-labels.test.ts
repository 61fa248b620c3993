import { describe, expect, it } from 'vitest';
import { alreadyHandled, graceOf, healActionOf } from '../../../src/supervisor/heal-decision.js';
import { emptyRecord } from '../../../src/supervisor/restart-policy.js';

describe('the decisions a new unhealthy report needs before any heal', () => {
  it('restarts unless the action label asks for a stop or only a notification', () => {
    expect(healActionOf({})).toBe('restart');
    expect(healActionOf({ 'autoheal.action': 'stop' })).toBe('stop');
    expect(healActionOf({ 'autoheal.action': 'notify' })).toBe('notify');
    expect(healActionOf({ 'autoheal.action': 'explode' })).toBe('restart');
  });

  it('waits the grace period of its label, else the setting', () => {
    expect(graceOf({}, 30)).toBe(30);
    expect(graceOf({ 'autoheal.grace': '5' }, 30)).toBe(5);
    expect(graceOf({ 'autoheal.grace': 'soon' }, 30)).toBe(30);
  });

  it('a container given up on, or a notify-only one already reported this spell, needs nothing more', () => {
    const fresh = emptyRecord('web');
    expect(alreadyHandled(fresh, 'restart')).toBe(false);
    expect(alreadyHandled({ ...fresh, gaveUpAt: 1 }, 'restart')).toBe(true);
    expect(alreadyHandled({ ...fresh, notified: true }, 'notify')).toBe(true);
    expect(alreadyHandled({ ...fresh, notified: true }, 'restart')).toBe(false);
  });
});
