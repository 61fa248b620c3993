import { describe, expect, it } from 'vitest';
import type { ContainerSnapshot } from '../../../../src/engine/types.js';
import {
  KnownContainers,
  networkTarget,
  planRecreations,
  replacementParents,
  replaces,
} from '../../../../src/supervisor/dependents/recreate-plan.js';
import type { EnrollmentRules } from '../../../../src/supervisor/enrollment.js';
import { recreatesDependents, restartsDependents } from '../../../../src/supervisor/labels.js';

const hex = (c: string) => c.repeat(64);
const OLD_VPN = hex('a');
const NEW_VPN = hex('b');
const DEP = hex('c');
const SELF = hex('d');

/** The test's enrolment label: a parent must be monitored by this autoheal. */
const ENROL = { autoheal: 'true' };
const RECREATE = { ...ENROL, 'autoheal.dependents': 'recreate' };
const COMPOSE = (service: string, number = '1') => ({
  'com.docker.compose.project': 'media',
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': number,
});

function snap(over: Partial<ContainerSnapshot> & { id: string; name: string }): ContainerSnapshot {
  return { image: 'img', labels: {}, state: 'running', health: 'none', ...over };
}

function rules(over: Partial<EnrollmentRules> = {}): EnrollmentRules {
  return { labelKey: 'autoheal', excluded: [], selected: [], selfId: null, ...over };
}

/** autoheal saw the old vpn (by an event or a list) before it was replaced. */
function knownOldVpn(labels: Record<string, string> = {}): KnownContainers {
  const known = new KnownContainers();
  known.remember({ id: OLD_VPN, name: 'vpn', labels });
  return known;
}

const newVpn = snap({ id: NEW_VPN, name: 'vpn', labels: RECREATE });
const dependent = (over: Partial<ContainerSnapshot> = {}) =>
  snap({ id: DEP, name: 'torrent', networkMode: `container:${OLD_VPN}`, ...over });

function plan(containers: ContainerSnapshot[], known = knownOldVpn(), r = rules(), recreateAll = false) {
  return planRecreations({ parent: newVpn, containers, known, rules: r, recreateAll }).map((p) => ({
    name: p.dependent.name,
    old: p.oldParentId,
    refusal: p.refusal,
  }));
}

describe('which dependents are re-created when their parent is replaced', () => {
  it('a dependent of the old vpn is re-created when a new vpn of the same name starts', () => {
    expect(plan([newVpn, dependent()])).toEqual([{ name: 'torrent', old: OLD_VPN, refusal: null }]);
  });

  it('a parent without the label is left alone, unless AUTOHEAL_RECREATE_DEPENDENTS says so', () => {
    const unlabelled = snap({ id: NEW_VPN, name: 'vpn', labels: ENROL });
    const args = {
      parent: unlabelled,
      containers: [unlabelled, dependent()],
      known: knownOldVpn(),
      rules: rules(),
    };
    expect(planRecreations({ ...args, recreateAll: false })).toEqual([]);
    expect(planRecreations({ ...args, recreateAll: true })).toHaveLength(1);
  });

  it('a parent this autoheal does not monitor is left alone, whatever its label or the setting says', () => {
    const stranger = snap({ id: NEW_VPN, name: 'vpn', labels: { 'autoheal.dependents': 'recreate' } });
    const optedOut = snap({ id: NEW_VPN, name: 'vpn', labels: { ...RECREATE, autoheal: 'false' } });
    for (const [parent, r] of [
      [stranger, rules()],
      [optedOut, rules()],
      [newVpn, rules({ excluded: ['vpn'] })],
      [newVpn, rules({ labelKey: 'other-autoheal' })],
    ] as const) {
      for (const recreateAll of [false, true]) {
        expect(
          planRecreations({
            parent,
            containers: [parent, dependent()],
            known: knownOldVpn(),
            rules: r,
            recreateAll,
          }),
        ).toEqual([]);
      }
    }
  });

  it('a replacement is recognised by its compose project and service when the name differs', () => {
    const parent = snap({ id: NEW_VPN, name: 'media-vpn-1', labels: { ...RECREATE, ...COMPOSE('vpn') } });
    const known = new KnownContainers();
    known.remember({ id: OLD_VPN, name: 'media_vpn_1', labels: COMPOSE('vpn') });
    const plans = planRecreations({
      parent,
      containers: [parent, dependent()],
      known,
      rules: rules(),
      recreateAll: false,
    });
    expect(plans.map((p) => p.dependent.name)).toEqual(['torrent']);
  });

  it('another service, or another replica of the same service, is no replacement', () => {
    const old = { name: 'media_vpn_1', labels: COMPOSE('vpn', '1') };
    expect(replaces(old, { id: NEW_VPN, name: 'x', labels: COMPOSE('db', '1') })).toBe(false);
    expect(replaces(old, { id: NEW_VPN, name: 'x', labels: COMPOSE('vpn', '2') })).toBe(false);
    expect(replaces(old, { id: NEW_VPN, name: 'x', labels: COMPOSE('vpn', '1') })).toBe(true);
    expect(replaces({ name: 'vpn', labels: {} }, { id: NEW_VPN, name: 'vpn2', labels: {} })).toBe(false);
  });

  it('an excluded dependent is never re-created (by name, by list or by its opt-out label)', () => {
    expect(plan([newVpn, dependent()], knownOldVpn(), rules({ excluded: ['torrent'] }))[0]?.refusal).toBe(
      'excluded',
    );
    expect(plan([newVpn, dependent({ labels: { autoheal: 'false' } })])[0]?.refusal).toBe('excluded');
  });

  it('a Swarm task is never re-created', () => {
    const task = dependent({ labels: { 'com.docker.swarm.service.id': 'x1' } });
    expect(plan([newVpn, task])[0]?.refusal).toBe('swarm_task');
  });

  it('autoheal itself is never re-created', () => {
    const self = dependent({ id: SELF, name: 'autoheal' });
    expect(plan([newVpn, self], knownOldVpn(), rules({ selfId: SELF.slice(0, 12) }))[0]?.refusal).toBe(
      'self',
    );
  });

  it('a paused or dead dependent is not re-created', () => {
    expect(plan([newVpn, dependent({ state: 'paused' })])[0]?.refusal).toBe('state');
    expect(plan([newVpn, dependent({ state: 'dead' })])[0]?.refusal).toBe('state');
    expect(plan([newVpn, dependent({ state: 'exited' })])[0]?.refusal).toBeNull();
  });

  it('a container not pointing at the old id is not touched', () => {
    expect(plan([newVpn, dependent({ networkMode: `container:${NEW_VPN}` })])).toEqual([]);
    expect(plan([newVpn, dependent({ networkMode: 'bridge' })])).toEqual([]);
    expect(plan([newVpn, dependent({ networkMode: `container:${hex('e')}` })])).toEqual([]);
  });

  it('an old container autoheal never saw is not matched', () => {
    expect(plan([newVpn, dependent()], new KnownContainers())).toEqual([]);
  });

  it('while the old container still runs, its dependents stay with it', () => {
    const oldRunning = snap({ id: OLD_VPN, name: 'vpn-old', state: 'running' });
    expect(plan([newVpn, oldRunning, dependent()])).toEqual([]);
    const oldStopped = snap({ id: OLD_VPN, name: 'abc_vpn', state: 'exited' });
    expect(plan([newVpn, oldStopped, dependent()])).toHaveLength(1);
  });

  it('several dependents are re-created in name order', () => {
    const b = dependent({ id: hex('1'), name: 'b' });
    const a = dependent({ id: hex('2'), name: 'a' });
    expect(plan([newVpn, b, a]).map((p) => p.name)).toEqual(['a', 'b']);
  });
});

describe('the memory of who an id was', () => {
  it('keeps a destroyed container while a dependent names it, and forgets it after', () => {
    const known = knownOldVpn();
    known.remember({ id: hex('9'), name: 'unrelated', labels: {} });
    known.refresh([newVpn, dependent()]);
    known.refresh([newVpn, dependent()]);
    expect(known.get(OLD_VPN)?.name).toBe('vpn');
    expect(known.get(hex('9'))).toBeUndefined();
    known.refresh([newVpn, dependent({ networkMode: `container:${NEW_VPN}` })]);
    expect(known.get(OLD_VPN)).toBeUndefined();
    expect(known.size).toBe(2);
  });

  it('a container an event told of after a list was taken survives that list', () => {
    const known = new KnownContainers();
    known.refresh([newVpn]);
    known.remember({ id: OLD_VPN, name: 'vpn-started-meanwhile', labels: {} });
    known.refresh([newVpn]); // taken before it started
    expect(known.get(OLD_VPN)?.name).toBe('vpn-started-meanwhile');
    known.refresh([newVpn]);
    expect(known.get(OLD_VPN)).toBeUndefined();
  });

  it('a reconcile finds the running replacement of a gone parent a dependent still names', () => {
    const other = snap({ id: hex('7'), name: 'web' });
    expect(replacementParents([newVpn, other, dependent()], knownOldVpn()).map((c) => c.id)).toEqual([
      NEW_VPN,
    ]);
    expect(replacementParents([newVpn, other, dependent()], new KnownContainers())).toEqual([]);
  });

  it('reads the target of a container network mode only', () => {
    expect(networkTarget(`container:${OLD_VPN}`)).toBe(OLD_VPN);
    expect(networkTarget('container:')).toBeNull();
    expect(networkTarget('host')).toBeNull();
    expect(networkTarget(undefined)).toBeNull();
  });
});

describe('the autoheal.dependents label', () => {
  it('holds restart, recreate, or both', () => {
    expect(restartsDependents({ 'autoheal.dependents': 'restart' })).toBe(true);
    expect(recreatesDependents({ 'autoheal.dependents': 'restart' })).toBe(false);
    expect(recreatesDependents({ 'autoheal.dependents': 'Recreate' })).toBe(true);
    expect(restartsDependents({ 'autoheal.dependents': 'recreate' })).toBe(false);
    const both = { 'autoheal.dependents': 'restart, recreate' };
    expect(restartsDependents(both) && recreatesDependents(both)).toBe(true);
  });
});
