/**
 * Who to re-create when a container that others share the network namespace of is
 * replaced (same name, or same compose service, new id): pure rules over a list of
 * containers and autoheal's memory of who each container id was. The old id may be gone by
 * the time its replacement starts (`docker rm -f` then `docker run`), so the memory keeps a
 * destroyed container for as long as a dependent still names it.
 */
import type { ContainerSnapshot } from '../../engine/types.js';
import {
  type ContainerIdentity,
  type EnrollmentRules,
  isExcluded,
  isSelf,
  isSwarmTask,
  monitorVerdict,
} from '../enrollment.js';
import { recreatesDependents } from '../labels.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_NUMBER_LABEL = 'com.docker.compose.container-number';

const NETWORK_CONTAINER_PREFIX = 'container:';

/** Who a container id was when autoheal last saw it. */
export interface RememberedContainer {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The network mode that joins the namespace of container `id`. */
export function joinNetworkOf(id: string): string {
  return `${NETWORK_CONTAINER_PREFIX}${id}`;
}

/** The id (or name) a `container:<ref>` network mode names; null for any other mode. */
export function networkTarget(networkMode: string | null | undefined): string | null {
  if (!networkMode?.startsWith(NETWORK_CONTAINER_PREFIX)) return null;
  const ref = networkMode.slice(NETWORK_CONTAINER_PREFIX.length);
  return ref === '' ? null : ref;
}

/** Both belong to the same compose project and service (and replica, when both say). */
function sameComposeService(a: RememberedContainer, b: ContainerIdentity): boolean {
  const project = a.labels[COMPOSE_PROJECT_LABEL];
  const service = a.labels[COMPOSE_SERVICE_LABEL];
  if (project === undefined || service === undefined) return false;
  if (b.labels[COMPOSE_PROJECT_LABEL] !== project || b.labels[COMPOSE_SERVICE_LABEL] !== service)
    return false;
  const na = a.labels[COMPOSE_NUMBER_LABEL];
  const nb = b.labels[COMPOSE_NUMBER_LABEL];
  return na === undefined || nb === undefined || na === nb;
}

/** `next` takes the place of the container `old` was: the same name or compose service. */
export function replaces(old: RememberedContainer, next: ContainerIdentity): boolean {
  return old.name === next.name || sameComposeService(old, next);
}

/** The parent asks for it (`autoheal.dependents=recreate`), or AUTOHEAL_RECREATE_DEPENDENTS does. */
export function wantsRecreate(parent: ContainerIdentity, recreateAll: boolean): boolean {
  return recreateAll || recreatesDependents(parent.labels);
}

/**
 * Remembers who each container id was, from events and lists. A container absent from a
 * list is forgotten unless a listed container's network mode still names it — or an event
 * told of it since the previous list, which may have been taken before it existed.
 */
export class KnownContainers {
  private readonly byId = new Map<string, RememberedContainer & { refreshes: number }>();
  private refreshes = 0;

  remember(c: ContainerIdentity): void {
    this.byId.set(c.id, { name: c.name, labels: { ...c.labels }, refreshes: this.refreshes });
  }

  get(id: string): RememberedContainer | undefined {
    const entry = this.byId.get(id);
    return entry && { name: entry.name, labels: entry.labels };
  }

  /** Learns the listed containers and forgets the gone ones no dependent names. */
  refresh(containers: readonly ContainerSnapshot[]): void {
    const keep = new Set<string>();
    for (const c of containers) {
      keep.add(c.id);
      const target = networkTarget(c.networkMode);
      if (target !== null) keep.add(target);
    }
    for (const [id, entry] of this.byId) {
      if (!keep.has(id) && entry.refreshes < this.refreshes) this.byId.delete(id);
    }
    this.refreshes += 1;
    for (const c of containers) this.remember(c);
  }

  /** Some other remembered container has the name or compose service of `c`. */
  anyReplacedBy(c: ContainerIdentity): boolean {
    for (const [id, old] of this.byId) if (id !== c.id && replaces(old, c)) return true;
    return false;
  }

  get size(): number {
    return this.byId.size;
  }
}

export type RecreateRefusal = 'excluded' | 'swarm_task' | 'self' | 'state';

/** A container re-created, or left alone, because its parent was replaced. */
export interface DependentPlan {
  dependent: ContainerSnapshot;
  /** The id its network mode names: the parent's old container. */
  oldParentId: string;
  /** null: re-create it; otherwise why it is left alone. */
  refusal: RecreateRefusal | null;
}

/** States in which a dependent can be renamed aside, copied and removed. */
const RECREATABLE_STATES: ReadonlySet<string> = new Set(['running', 'restarting', 'exited', 'created']);

/** Why this dependent must not be re-created; null when it may be. */
export function recreateRefusal(c: ContainerSnapshot, rules: EnrollmentRules): RecreateRefusal | null {
  // Dependents need no enrolling label, but the operator's exclusions always hold.
  if (isExcluded(c, rules)) return 'excluded';
  if (isSwarmTask(c)) return 'swarm_task';
  if (isSelf(c, rules.selfId)) return 'self';
  if (!RECREATABLE_STATES.has(c.state)) return 'state';
  return null;
}

export interface PlanInput {
  /** The container that just started (or was found running): the candidate new parent. */
  parent: ContainerSnapshot | (ContainerIdentity & { state?: string });
  containers: readonly ContainerSnapshot[];
  known: Pick<KnownContainers, 'get'>;
  rules: EnrollmentRules;
  recreateAll: boolean;
}

/**
 * The containers whose network mode names an old container `parent` replaced, by name
 * order. The parent must be one this autoheal monitors (another autoheal's, or an excluded
 * one, is not ours to act around); the old one must be gone or stopped: a running one is a
 * container of its own.
 */
export function planRecreations(input: PlanInput): DependentPlan[] {
  const { parent, containers, known, rules } = input;
  if (!monitorVerdict(parent, rules).monitored) return [];
  if (!wantsRecreate(parent, input.recreateAll)) return [];
  const byId = new Map(containers.map((c) => [c.id, c]));
  const plans: DependentPlan[] = [];
  for (const c of containers) {
    const target = networkTarget(c.networkMode);
    if (target === null || target === parent.id || c.id === parent.id) continue;
    const old = known.get(target);
    if (old === undefined || !replaces(old, parent)) continue;
    const oldNow = byId.get(target);
    if (oldNow !== undefined && (oldNow.state === 'running' || oldNow.state === 'restarting')) continue;
    plans.push({ dependent: c, oldParentId: target, refusal: recreateRefusal(c, rules) });
  }
  return plans.sort((a, b) => a.dependent.name.localeCompare(b.dependent.name));
}

/**
 * Running containers of the list that replaced the old parent of some listed dependent: what
 * a reconcile hands on when the start event itself was missed (the stream was down).
 */
export function replacementParents(
  containers: readonly ContainerSnapshot[],
  known: Pick<KnownContainers, 'get'>,
): ContainerSnapshot[] {
  const present = new Set(containers.map((c) => c.id));
  const orphanedTargets = new Set<string>();
  for (const c of containers) {
    const target = networkTarget(c.networkMode);
    if (target !== null && !present.has(target)) orphanedTargets.add(target);
  }
  const parents: ContainerSnapshot[] = [];
  for (const c of containers) {
    if (c.state !== 'running') continue;
    for (const target of orphanedTargets) {
      const old = known.get(target);
      if (old !== undefined && replaces(old, c)) {
        parents.push(c);
        break;
      }
    }
  }
  return parents;
}
