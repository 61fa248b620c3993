/**
 * Carries out the re-creates `recreate-plan.ts` decides: when a parent is replaced,
 * each dependent left in the old parent's network namespace is copied into the new one
 * (renamed aside, copy created and started, old one removed), one at a time, and put back
 * as it was when any step fails (./recreate-one.ts). Every outcome is written down as a
 * `recreate` event by the recorder.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerSnapshot, Engine } from '../../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { Enrollment } from '../enrollment-rules.js';
import type { Recorder } from '../record/recorder.js';
import { type RecreateResult, recreateOne } from './recreate-one.js';
import {
  type DependentPlan,
  KnownContainers,
  planRecreations,
  replacementParents,
  wantsRecreate,
} from './recreate-plan.js';

export interface DependentRecreatorDeps {
  engine: Engine;
  settings: Settings;
  logger: Logger;
  /** Writes outcomes down (audit event, log line, metric). */
  recorder: Recorder;
  /** Who is monitored, with the lists as they are now (the excluded list can change at any time). */
  enrollment: Pick<Enrollment, 'rules'>;
  /** A heal of this container is queued, running or scheduled. */
  healing: (id: string) => boolean;
  now: () => number;
}

/** What asked for a look: the parent's start event, or a reconcile that found it. */
type Source = 'start' | 'reconcile';

interface Parent {
  id: string;
  name: string;
}

export class DependentRecreator {
  private readonly d: DependentRecreatorDeps;
  private readonly log: Logger;
  private readonly known = new KnownContainers();
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
      rules: this.d.enrollment.rules(),
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
    const outcome = await recreateOne(this.d, dep, plan.oldParentId, parent);
    if (outcome.kind === 'failed') this.settledPairs.add(pair);
    this.record(dep, plan.oldParentId, parent, outcome);
  }

  /** A re-create's outcome, written down by the recorder (audit event, log line, metric). */
  private record(dep: ContainerSnapshot, oldParentId: string, parent: Parent, outcome: RecreateResult): void {
    if (outcome.kind === 'gone') {
      containerLogger(this.log, dep.name, dep.id).info(
        { dependency: parent.name },
        'dependent gone or moved before its re-create: left alone',
      );
      return;
    }
    const details = {
      trigger: 'parent_replaced',
      dependency: parent.name,
      dependency_id: parent.id,
      old_dependency_id: oldParentId,
      duration_ms: outcome.durationMs,
    };
    if (outcome.kind === 'success') {
      this.d.recorder.record({
        kind: 'recreated',
        c: dep,
        newId: outcome.newId,
        parentName: parent.name,
        durationMs: outcome.durationMs,
        details,
      });
      return;
    }
    this.d.recorder.record({
      kind: 'recreate_failed',
      c: dep,
      parentName: parent.name,
      step: outcome.step,
      error: outcome.error,
      restored: outcome.restored,
      restoreError: outcome.restoreError,
      details,
    });
  }
}
