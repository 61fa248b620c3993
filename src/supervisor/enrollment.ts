/**
 * Who is monitored, as small pure predicates over a minimal container shape:
 * enrolled (label, `all`, or hand-picked) and not excluded, not a Swarm task, not autoheal
 * itself. The heal path and the API both ask `monitorVerdict`, so they never disagree.
 */

import { bareName, idMatches } from '../shared/container-ref.js';
import type { EnrolledBy } from './types.js';

/** What the predicates need to know about a container; events and snapshots both fit. */
export interface ContainerIdentity {
  id: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface EnrollmentRules {
  /** `AUTOHEAL_CONTAINER_LABEL`: the enrolling label key, or `all`. */
  labelKey: string;
  /** Effective excluded entries (configuration's and the API's). */
  excluded: readonly string[];
  /** Hand-picked entries (the API's `selected` list). */
  selected: readonly string[];
  /** autoheal's own container id when it runs in one. */
  selfId: string | null;
}

/** With `AUTOHEAL_CONTAINER_LABEL=all`, the opt-out label keeps the default key. */
export const DEFAULT_LABEL_KEY = 'autoheal';
export const ALL_CONTAINERS = 'all';
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.id';

/** The key whose `=false` value opts a container out. */
export function optOutKey(labelKey: string): string {
  return labelKey === ALL_CONTAINERS ? DEFAULT_LABEL_KEY : labelKey;
}

export function hasEnrollLabel(c: ContainerIdentity, labelKey: string): boolean {
  return labelKey !== ALL_CONTAINERS && c.labels[labelKey] === 'true';
}

export function hasOptOutLabel(c: ContainerIdentity, labelKey: string): boolean {
  return c.labels[optOutKey(labelKey)]?.trim().toLowerCase() === 'false';
}

export function isSwarmTask(c: ContainerIdentity): boolean {
  return SWARM_SERVICE_LABEL in c.labels;
}

export function isSelf(c: ContainerIdentity, selfId: string | null): boolean {
  return selfId !== null && (c.id === selfId || c.id.startsWith(selfId) || selfId.startsWith(c.id));
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * One list entry against one container: a name (with `*` wildcards), or an id (full, or a
 * prefix of at least 12 hex characters). A leading slash on either side is ignored.
 */
export function matchesEntry(c: ContainerIdentity, entry: string): boolean {
  const e = bareName(entry);
  const name = bareName(c.name);
  if (idMatches(c.id, e)) return true;
  return e.includes('*') ? globToRegExp(e).test(name) : e === name;
}

export function matchesAny(c: ContainerIdentity, entries: readonly string[]): boolean {
  return entries.some((e) => matchesEntry(c, e));
}

export function enrolledBy(
  c: ContainerIdentity,
  rules: Pick<EnrollmentRules, 'labelKey' | 'selected'>,
): EnrolledBy {
  if (rules.labelKey === ALL_CONTAINERS) return 'all';
  if (hasEnrollLabel(c, rules.labelKey)) return 'label';
  if (matchesAny(c, rules.selected)) return 'selected';
  return null;
}

export function isExcluded(
  c: ContainerIdentity,
  rules: Pick<EnrollmentRules, 'labelKey' | 'excluded'>,
): boolean {
  return hasOptOutLabel(c, rules.labelKey) || matchesAny(c, rules.excluded);
}

export type NotMonitoredReason = 'not_enrolled' | 'excluded' | 'swarm_task' | 'self';

export interface MonitorVerdict {
  monitored: boolean;
  enrolledBy: EnrolledBy;
  excluded: boolean;
  /** Why it is not monitored; null when it is. */
  reason: NotMonitoredReason | null;
}

/** Monitored: enrolled, not excluded, not a Swarm task, not autoheal itself (checked in this order). */
export function monitorVerdict(c: ContainerIdentity, rules: EnrollmentRules): MonitorVerdict {
  const by = enrolledBy(c, rules);
  const excluded = isExcluded(c, rules);
  let reason: NotMonitoredReason | null = null;
  if (by === null) reason = 'not_enrolled';
  else if (excluded) reason = 'excluded';
  else if (isSwarmTask(c)) reason = 'swarm_task';
  else if (isSelf(c, rules.selfId)) reason = 'self';
  return { monitored: reason === null, enrolledBy: by, excluded, reason };
}
