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

/** Prefix of the per-container settings labels (`autoheal.grace`, `autoheal.action`, …). */
export const OWN_LABEL_PREFIX = 'autoheal.';

/**
 * The labels autoheal itself reads: the enrolling (or opt-out) key and `autoheal.*`. Views
 * show only these; other labels routinely carry secrets (proxy basic-auth hashes, commands).
 */
export function ownLabels(
  labels: Readonly<Record<string, string>>,
  labelKey: string,
): Record<string, string> {
  const key = optOutKey(labelKey);
  return Object.fromEntries(
    Object.entries(labels).filter(([k]) => k === key || k.startsWith(OWN_LABEL_PREFIX)),
  );
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

/**
 * `*` matches any run of characters, everything else itself. Greedy matching with one
 * back-track point (the last `*` seen): each name character is looked at a bounded number
 * of times per pattern position, so the work is O(name × pattern) at worst and entries such
 * as `*a*a*a*b` cannot stall the event loop, as a RegExp built from the entry did. No
 * library is used because the whole job is these dozen lines.
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p;
      p += 1;
      resume = n;
    } else if (p < pattern.length && pattern[p] === name[n]) {
      p += 1;
      n += 1;
    } else if (star !== -1) {
      p = star + 1;
      resume += 1;
      n = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/**
 * One list entry against one container: a name (with `*` wildcards), or an id (full, or a
 * prefix of at least 12 hex characters). A leading slash on either side is ignored.
 */
export function matchesEntry(c: ContainerIdentity, entry: string): boolean {
  const e = bareName(entry);
  const name = bareName(c.name);
  if (idMatches(c.id, e)) return true;
  return e.includes('*') ? wildcardMatch(e, name) : e === name;
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
