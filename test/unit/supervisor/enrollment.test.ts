import { describe, expect, it } from 'vitest';
import {
  type ContainerIdentity,
  type EnrollmentRules,
  enrolledBy,
  isExcluded,
  isSwarmTask,
  matchesEntry,
  monitorVerdict,
  wildcardMatch,
} from '../../../src/supervisor/enrollment.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

function container(over: Partial<ContainerIdentity> = {}): ContainerIdentity {
  return { id: ID, name: 'web', labels: {}, ...over };
}

function rules(over: Partial<EnrollmentRules> = {}): EnrollmentRules {
  return { labelKey: 'autoheal', excluded: [], selected: [], selfId: null, ...over };
}

describe('which containers are monitored', () => {
  it('a container labelled autoheal=true is monitored, enrolled by label', () => {
    const v = monitorVerdict(container({ labels: { autoheal: 'true' } }), rules());
    expect(v).toEqual({ monitored: true, enrolledBy: 'label', excluded: false, reason: null });
  });

  it('an unlabelled container is not enrolled', () => {
    expect(monitorVerdict(container(), rules())).toMatchObject({ monitored: false, reason: 'not_enrolled' });
  });

  it('only the exact value true enrolls', () => {
    expect(enrolledBy(container({ labels: { autoheal: 'TRUE ' } }), rules())).toBeNull();
    expect(enrolledBy(container({ labels: { autoheal: 'yes' } }), rules())).toBeNull();
  });

  it('the enrolling key follows AUTOHEAL_CONTAINER_LABEL', () => {
    const c = container({ labels: { 'my.heal': 'true', autoheal: 'true' } });
    expect(enrolledBy(c, rules({ labelKey: 'my.heal' }))).toBe('label');
    expect(
      enrolledBy(container({ labels: { autoheal: 'true' } }), rules({ labelKey: 'my.heal' })),
    ).toBeNull();
  });

  it('AUTOHEAL_CONTAINER_LABEL=all enrolls every container', () => {
    expect(monitorVerdict(container(), rules({ labelKey: 'all' }))).toMatchObject({
      monitored: true,
      enrolledBy: 'all',
    });
  });

  it('a hand-picked container is enrolled by the selected list', () => {
    expect(enrolledBy(container(), rules({ selected: ['web'] }))).toBe('selected');
    expect(enrolledBy(container(), rules({ selected: [ID.slice(0, 12)] }))).toBe('selected');
  });

  it('label <key>=false excludes in any letter case, also with all', () => {
    for (const value of ['false', 'False', 'FALSE']) {
      const c = container({ labels: { autoheal: value } });
      expect(isExcluded(c, rules())).toBe(true);
      expect(monitorVerdict(c, rules({ labelKey: 'all' }))).toMatchObject({
        monitored: false,
        reason: 'excluded',
      });
    }
  });

  it('an excluded entry wins over the enrolling label', () => {
    const v = monitorVerdict(container({ labels: { autoheal: 'true' } }), rules({ excluded: ['web'] }));
    expect(v).toMatchObject({ monitored: false, excluded: true, enrolledBy: 'label', reason: 'excluded' });
  });

  it('a Swarm task is never monitored', () => {
    const c = container({ labels: { autoheal: 'true', 'com.docker.swarm.service.id': 'x' } });
    expect(isSwarmTask(c)).toBe(true);
    expect(monitorVerdict(c, rules())).toMatchObject({ monitored: false, reason: 'swarm_task' });
  });

  it("autoheal's own container is never monitored, by full id or short id", () => {
    const c = container({ labels: { autoheal: 'true' } });
    expect(monitorVerdict(c, rules({ selfId: ID }))).toMatchObject({ monitored: false, reason: 'self' });
    expect(monitorVerdict(c, rules({ selfId: ID.slice(0, 12) }))).toMatchObject({
      monitored: false,
      reason: 'self',
    });
  });
});

describe('matching an excluded or selected entry', () => {
  it('matches a name exactly, ignoring a leading slash', () => {
    expect(matchesEntry(container(), 'web')).toBe(true);
    expect(matchesEntry(container(), '/web')).toBe(true);
    expect(matchesEntry(container({ name: '/web' }), 'web')).toBe(true);
    expect(matchesEntry(container(), 'we')).toBe(false);
    expect(matchesEntry(container(), 'web2')).toBe(false);
  });

  it('matches * wildcards against the whole name', () => {
    expect(matchesEntry(container({ name: 'test-api' }), 'test-*')).toBe(true);
    expect(matchesEntry(container({ name: 'my-test-api' }), 'test-*')).toBe(false);
    expect(matchesEntry(container({ name: 'a.b' }), 'a*b')).toBe(true);
    expect(matchesEntry(container({ name: 'axb' }), 'a.b')).toBe(false);
  });

  it('matches several wildcards, at either end and in a row', () => {
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('*', 'anything')).toBe(true);
    expect(wildcardMatch('**a**', 'xay')).toBe(true);
    expect(wildcardMatch('*-db-*', 'shop-db-1')).toBe(true);
    expect(wildcardMatch('*-db-*', 'shop-db')).toBe(false);
    expect(wildcardMatch('a*b*c', 'abbbc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'acb')).toBe(false);
    expect(wildcardMatch('a*a*a', 'aa')).toBe(false);
    expect(wildcardMatch('ab', 'ab')).toBe(true);
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('', 'a')).toBe(false);
  });

  // A RegExp built from these entries backtracks catastrophically: the first took 3.5 s on a
  // 39-character name, the second 112 s. Both must answer at once (the test's timeout).
  it('answers pathological entries on long names at once', () => {
    const name = 'a'.repeat(255);
    expect(matchesEntry(container({ name: 'a'.repeat(39) }), '*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(matchesEntry(container({ name }), '*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(matchesEntry(container({ name }), `${'*'.repeat(28)}b`)).toBe(false);
    expect(matchesEntry(container({ name }), `${'*a'.repeat(127)}b`)).toBe(false);
    expect(matchesEntry(container({ name }), `${'*a'.repeat(127)}`)).toBe(true);
  });

  it('matches the full id or an id prefix of at least 12 hex characters', () => {
    expect(matchesEntry(container(), ID)).toBe(true);
    expect(matchesEntry(container(), ID.slice(0, 12))).toBe(true);
    expect(matchesEntry(container(), ID.slice(0, 11))).toBe(false);
    expect(matchesEntry(container(), `${ID.slice(0, 11)}0`)).toBe(false);
  });
});
