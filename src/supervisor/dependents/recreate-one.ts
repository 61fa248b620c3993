/**
 * One re-create of a dependent into its replaced parent's network namespace, step by step:
 * renamed aside, copy created and started, old one stopped and removed; put back as it was
 * when any step fails. Pure engine work: the re-creator (./recreator.ts) writes it down.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerBlueprint, ContainerSnapshot, Engine } from '../../engine/types.js';
import { errorText } from '../../shared/errors.js';
import { stopTimeoutFromLabel } from '../labels.js';
import { joinNetworkOf } from './recreate-plan.js';

export interface RecreateDeps {
  engine: Engine;
  settings: Pick<Settings, 'defaultStopTimeoutS'>;
  now: () => number;
}

/** The steps of one re-create, in order; a failure names the one that failed. */
export type Step = 'inspect' | 'rename' | 'create' | 'start' | 'stop_old' | 'remove_old';

export type RecreateResult =
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

/** The name the old dependent carries while its copy takes its place. */
export function asideName(name: string, id: string): string {
  return `${name}_autoheal-replaced-${id.slice(0, 12)}`;
}

/** Rename aside, create the copy, start it, stop and remove the old one; undo on failure. */
export async function recreateOne(
  d: RecreateDeps,
  dep: ContainerSnapshot,
  oldParentId: string,
  parent: Parent,
): Promise<RecreateResult> {
  const engine = d.engine;
  const t0 = d.now();
  let blueprint: ContainerBlueprint | null;
  try {
    blueprint = await engine.blueprint(dep.id);
  } catch (err) {
    return failed(d, 'inspect', err, t0, true, null);
  }
  // Gone, or moved to another namespace, since the list: nothing of ours to do.
  if (blueprint === null || blueprint.networkMode !== joinNetworkOf(oldParentId)) return { kind: 'gone' };
  const wasRunning = blueprint.state === 'running' || blueprint.state === 'restarting';
  const stopTimeoutS = stopTimeoutFromLabel(blueprint.labels) ?? d.settings.defaultStopTimeoutS;

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
    return { kind: 'success', newId, durationMs: d.now() - t0 };
  } catch (err) {
    const restoreError = await restore(d, dep.id, blueprint.name, { renamed, newId, oldStopped });
    return failed(d, step, err, t0, restoreError === null, restoreError);
  }
}

/** Puts the old dependent back: the copy removed, its name back, running again if it was stopped. */
async function restore(
  d: RecreateDeps,
  oldId: string,
  name: string,
  done: { renamed: boolean; newId: string | null; oldStopped: boolean },
): Promise<string | null> {
  const engine = d.engine;
  try {
    if (done.newId !== null) await engine.remove(done.newId);
    if (done.renamed) await engine.rename(oldId, name);
    if (done.oldStopped) await engine.start(oldId);
    return null;
  } catch (err) {
    return errorText(err);
  }
}

function failed(
  d: RecreateDeps,
  step: Step,
  err: unknown,
  t0: number,
  restored: boolean,
  restoreError: string | null,
): RecreateResult {
  return {
    kind: 'failed',
    step,
    error: errorText(err),
    durationMs: d.now() - t0,
    restored,
    restoreError,
  };
}
