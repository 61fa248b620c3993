/**
 * Carries out the re-creates `recreate-dependents.ts` decides: when a parent is replaced,
 * each dependent left in the old parent's network namespace is copied into the new one
 * (renamed aside, copy created and started, old one removed), one at a time, and put back
 * as it was when any step fails. Every outcome is written down as a `recreate` event.
 */
import type { Settings } from '../config/settings.js';
import type { ContainerBlueprint, ContainerSnapshot, Engine } from '../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { AuditStore } from '../store/types.js';
import type { ContainerIdentity, EnrollmentRules } from './enrollment.js';
import { stopTimeoutFromLabel } from './labels.js';
import {
  type DependentPlan,
  joinNetworkOf,
  KnownContainers,
  planRecreations,
  replacementParents,
  wantsRecreate,
} from './recreate-dependents.js';

export interface DependentRecreatorDeps {
  engine: Engine;
  store: AuditStore;
  settings: Settings;
  logger: Logger;
  metrics: MetricsRegistry;
  /** The enrollment rules as they are now (the excluded list can change at any time). */
  rules: () => EnrollmentRules;
  /** A heal of this container is queued, running or scheduled. */
  healing: (id: string) => boolean;
  now: () => number;
}

/** The steps of one re-create, in order; a failure names the one that failed. */
type Step = 'inspect' | 'rename' | 'create' | 'start' | 'stop_old' | 'remove_old';

type Outcome =
  | { kind: 'success'; newId: string; durationMs: number }
  | { kind: 'gone' }
  | {
      kind: 'failed';
      step: Step;
      error: string;
      durationMs: number;
      /** The old container is back under its name (and running, if it was). */
      restored: boolean;
      restoreError: string | null;
    };

interface Parent {
  id: string;
  name: string;
}

/** What asked for a look: the parent's start event, or a reconcile that found it. */
type Source = 'start' | 'reconcile';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The name the old dependent carries while its copy takes its place. */
export function asideName(name: string, id: string): string {
  return `${name}_autoheal-replaced-${id.slice(0, 12)}`;
}

export class DependentRecreator {
  private readonly d: DependentRecreatorDeps;
  private readonly log: Logger;
  private readonly known = new KnownContainers();
  private readonly results;
  private chain: Promise<void> = Promise.resolve();
  /**
   * `<dependent id>><parent id>` pairs left alone or failed: a reconcile does not try them
   * again (a failure would be recorded every interval); the parent's next start does.
   */
  private readonly settledPairs = new Set<string>();
  private pending = 0;
  private stopped = false;

  constructor(deps: DependentRecreatorDeps) {
    this.d = deps;
    this.log = componentLogger(deps.logger, 'supervisor');
    this.results = deps.metrics.counter(
      'autoheal_dependents_recreated_total',
      'Dependents re-created into a replaced parent, by result',
    );
  }

  // ── What the supervisor tells it ─────────────────────────────────────────

  /** A container event: who this id is (kept after a destroy, while a dependent names it). */
  observe(c: ContainerIdentity): void {
    this.known.remember(c);
  }

  /** A reconcile's list: re-creates what a missed start event left behind, then learns the list. */
  observeList(containers: readonly ContainerSnapshot[]): void {
    if (!this.stopped) {
      for (const parent of replacementParents(containers, this.known)) {
        if (wantsRecreate(parent, this.d.settings.recreateDependents)) this.enqueue(parent, 'reconcile');
      }
    }
    this.known.refresh(containers);
    const present = new Set(containers.map((c) => c.id));
    for (const pair of this.settledPairs) {
      if (!present.has(pair.slice(0, pair.indexOf('>')))) this.settledPairs.delete(pair);
    }
  }

  /** A container started: when it replaced a remembered one, its dependents are looked for. */
  started(c: ContainerIdentity): void {
    if (this.stopped || !wantsRecreate(c, this.d.settings.recreateDependents)) return;
    // Most starts replace nothing autoheal saw: no list call for them.
    if (!this.known.anyReplacedBy(c)) return;
    this.enqueue({ id: c.id, name: c.name, labels: c.labels }, 'start');
  }

  busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves when no re-create is queued or running. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  /** Takes no new work and waits (bounded) for the re-create under way, so none is cut halfway. */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  // ── Planning ─────────────────────────────────────────────────────────────

  private enqueue(parent: ContainerIdentity, source: Source): void {
    this.pending += 1;
    // One at a time: a second start of the same parent then finds nothing left to do.
    this.chain = this.chain
      .then(() => this.recreateFor(parent, source))
      .catch((err: unknown) => {
        containerLogger(this.log, parent.name, parent.id).error(
          { err: errorText(err) },
          're-creating dependents failed unexpectedly',
        );
      })
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async recreateFor(parent: ContainerIdentity, source: Source): Promise<void> {
    if (this.stopped) return;
    const log = containerLogger(this.log, parent.name, parent.id);
    let containers: ContainerSnapshot[];
    try {
      containers = await this.d.engine.listContainers();
    } catch (err) {
      log.warn({ err: errorText(err) }, 'cannot list containers to look for dependents to re-create');
      return;
    }
    const plans = planRecreations({
      parent,
      containers,
      known: this.known,
      rules: this.d.rules(),
      recreateAll: this.d.settings.recreateDependents,
    });
    for (const plan of plans) {
      if (this.stopped) return;
      await this.carryOut(plan, parent, source);
    }
  }

  private async carryOut(plan: DependentPlan, parent: Parent, source: Source): Promise<void> {
    const dep = plan.dependent;
    const log = containerLogger(this.log, dep.name, dep.id);
    const pair = `${dep.id}>${parent.id}`;
    if (source === 'reconcile' && this.settledPairs.has(pair)) return;
    if (plan.refusal !== null) {
      this.settledPairs.add(pair);
      log.info({ dependency: parent.name, reason: plan.refusal }, 'dependent not re-created');
      return;
    }
    // One operation per container at a time: the next reconcile finds it again.
    if (this.d.healing(dep.id)) {
      log.info({ dependency: parent.name }, 'dependent has a heal in flight: re-created after it');
      return;
    }
    log.info({ dependency: parent.name, old_dependency_id: plan.oldParentId }, 're-creating a dependent');
    const outcome = await this.recreate(dep, plan.oldParentId, parent);
    if (outcome.kind === 'failed') this.settledPairs.add(pair);
    this.record(dep, plan.oldParentId, parent, outcome);
  }

  // ── One re-create ────────────────────────────────────────────────────────

  /** Rename aside, create the copy, start it, stop and remove the old one; undo on failure. */
  private async recreate(dep: ContainerSnapshot, oldParentId: string, parent: Parent): Promise<Outcome> {
    const engine = this.d.engine;
    const t0 = this.d.now();
    let blueprint: ContainerBlueprint | null;
    try {
      blueprint = await engine.blueprint(dep.id);
    } catch (err) {
      return this.failed('inspect', err, t0, true, null);
    }
    // Gone, or moved to another namespace, since the list: nothing of ours to do.
    if (blueprint === null || blueprint.networkMode !== joinNetworkOf(oldParentId)) return { kind: 'gone' };
    const wasRunning = blueprint.state === 'running' || blueprint.state === 'restarting';
    const stopTimeoutS = stopTimeoutFromLabel(blueprint.labels) ?? this.d.settings.defaultStopTimeoutS;

    let renamed = false;
    let newId: string | null = null;
    let oldStopped = false;
    let step: Step = 'rename';
    try {
      await engine.rename(dep.id, asideName(blueprint.name, dep.id));
      renamed = true;
      step = 'create';
      newId = await engine.create(blueprint, blueprint.name, joinNetworkOf(parent.id));
      if (wasRunning) {
        step = 'start';
        await engine.start(newId);
        step = 'stop_old';
        await engine.stop(dep.id, stopTimeoutS);
        oldStopped = true;
      }
      step = 'remove_old';
      await engine.remove(dep.id);
      return { kind: 'success', newId, durationMs: this.d.now() - t0 };
    } catch (err) {
      const restoreError = await this.restore(dep.id, blueprint.name, { renamed, newId, oldStopped });
      return this.failed(step, err, t0, restoreError === null, restoreError);
    }
  }

  /** Puts the old dependent back: the copy removed, its name back, running again if it was stopped. */
  private async restore(
    oldId: string,
    name: string,
    done: { renamed: boolean; newId: string | null; oldStopped: boolean },
  ): Promise<string | null> {
    const engine = this.d.engine;
    try {
      if (done.newId !== null) await engine.remove(done.newId);
      if (done.renamed) await engine.rename(oldId, name);
      if (done.oldStopped) await engine.start(oldId);
      return null;
    } catch (err) {
      return errorText(err);
    }
  }

  private failed(
    step: Step,
    err: unknown,
    t0: number,
    restored: boolean,
    restoreError: string | null,
  ): Outcome {
    return {
      kind: 'failed',
      step,
      error: errorText(err),
      durationMs: this.d.now() - t0,
      restored,
      restoreError,
    };
  }

  /** The one place a re-create's outcome becomes an audit event, a log line and a metric. */
  private record(dep: ContainerSnapshot, oldParentId: string, parent: Parent, outcome: Outcome): void {
    const log = containerLogger(this.log, dep.name, dep.id);
    if (outcome.kind === 'gone') {
      log.info({ dependency: parent.name }, 'dependent gone or moved before its re-create: left alone');
      return;
    }
    const details = {
      trigger: 'parent_replaced',
      dependency: parent.name,
      dependency_id: parent.id,
      old_dependency_id: oldParentId,
      duration_ms: outcome.durationMs,
    };
    this.results.inc({ result: outcome.kind });
    if (outcome.kind === 'success') {
      log.info(
        { dependency: parent.name, new_id: outcome.newId.slice(0, 12), duration_ms: outcome.durationMs },
        're-created a dependent in the new network namespace',
      );
      this.d.store.append({
        event_type: 'recreate',
        container_id: outcome.newId,
        container_name: dep.name,
        status: 'success',
        message: `Re-created ${dep.name} to join the network of ${parent.name}, which was replaced (in ${outcome.durationMs} ms)`,
        details: { ...details, old_id: dep.id, new_id: outcome.newId },
      });
      return;
    }
    const kept = outcome.restored
      ? 'the old container was put back as it was'
      : `putting the old container back failed too: ${outcome.restoreError}`;
    log.error(
      {
        dependency: parent.name,
        step: outcome.step,
        err: outcome.error,
        restored: outcome.restored,
        restore_error: outcome.restoreError,
      },
      're-creating a dependent failed',
    );
    this.d.store.append({
      event_type: 'recreate',
      container_id: dep.id,
      container_name: dep.name,
      status: 'failed',
      message: `Re-creating ${dep.name} to join the network of ${parent.name} failed at ${outcome.step.replace('_', ' ')}: ${outcome.error}; ${kept}`,
      details: {
        ...details,
        step: outcome.step,
        error: outcome.error,
        restored: outcome.restored,
        ...(outcome.restoreError !== null ? { restore_error: outcome.restoreError } : {}),
      },
    });
  }
}
