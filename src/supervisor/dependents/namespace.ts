/**
 * Dependents: containers that share another container's network namespace (compose
 * `network_mode: service:<name>`) and lose their network when it restarts. Which of them a
 * parent's restart concerns, and which autoheal must never touch.
 */
import type { ContainerSnapshot } from '../../engine/types.js';
import {
  type ContainerIdentity,
  type EnrollmentRules,
  isExcluded,
  isSelf,
  isSwarmTask,
} from '../enrollment.js';

/** The container joined the parent's network namespace (by id or by name). */
export function usesNetworkOf(c: ContainerSnapshot, parent: ContainerIdentity): boolean {
  return (
    c.id !== parent.id &&
    (c.networkMode === `container:${parent.id}` || c.networkMode === `container:${parent.name}`)
  );
}

/** The running dependents of `parent`, by name (the order they are healed in). */
export function runningDependents(parent: ContainerIdentity, all: ContainerSnapshot[]): ContainerSnapshot[] {
  return all
    .filter((c) => usesNetworkOf(c, parent) && c.state === 'running')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Dependents need no enrolling label, but an excluded one, autoheal itself or a Swarm task
 * is never touched; the reason, or null when it may be healed.
 */
export function dependentProtection(
  dep: ContainerSnapshot,
  rules: EnrollmentRules,
): 'excluded' | 'self' | 'swarm_task' | null {
  // Checked directly: the verdict names self or a Swarm task only for enrolled containers.
  if (isSelf(dep, rules.selfId)) return 'self';
  if (isSwarmTask(dep)) return 'swarm_task';
  return isExcluded(dep, rules) ? 'excluded' : null;
}
