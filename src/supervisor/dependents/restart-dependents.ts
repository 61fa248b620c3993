/**
 * After a restart: the containers that share the healed container's network namespace lose
 * their network, so each gets a heal of its own through the heal queue, after the parent's,
 * never beside another heal of it; one with a heal already pending is left to it.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerSnapshot } from '../../engine/types.js';
import { containerLogger } from '../../log.js';
import { errorText } from '../../shared/errors.js';
import type { ContainerIdentity } from '../enrollment.js';
import type { HealScheduler } from '../heal/scheduler.js';
import { restartsDependents } from '../labels.js';
import { type DependentHealDeps, healDependent } from './heal-dependent.js';
import { dependentProtection, runningDependents } from './namespace.js';

export class DependentRestarts {
  constructor(
    private readonly d: DependentHealDeps & {
      settings: Pick<Settings, 'restartDependents'>;
      scheduler: Pick<HealScheduler, 'busy' | 'run' | 'stopped'>;
    },
  ) {}

  /** The parent was restarted: its dependents are restarted when its label or the setting asks. */
  async after(parent: ContainerIdentity): Promise<void> {
    if (!restartsDependents(parent.labels) && !this.d.settings.restartDependents) return;
    const log = containerLogger(this.d.log, parent.name, parent.id);
    let all: ContainerSnapshot[];
    try {
      all = await this.d.engine.listContainers();
    } catch (err) {
      log.warn({ err: errorText(err) }, 'cannot list containers to restart the dependents');
      return;
    }
    const rules = this.d.enrollment.rules();
    const scheduler = this.d.scheduler;
    for (const dep of runningDependents(parent, all)) {
      const protectedBy =
        dependentProtection(dep, rules) ?? (scheduler.busy(dep.id) ? 'heal_in_flight' : null);
      if (protectedBy !== null) {
        containerLogger(this.d.log, dep.name, dep.id).info(
          { dependency: parent.name, reason: protectedBy },
          'dependent not restarted',
        );
        continue;
      }
      void scheduler.run(dep, async () => (scheduler.stopped ? null : healDependent(this.d, dep, parent)));
    }
  }
}
