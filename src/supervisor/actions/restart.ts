/**
 * The restart, autoheal's default action: a failed one is retried on the back-off; a done
 * one is followed by the restart of the containers that use its network, when asked.
 */
import type { AuditEvent } from '../../store/types.js';
import type { ContainerIdentity } from '../enrollment.js';
import { actOnEngine } from './engine-action.js';
import type { ActionDeps, ActionRequest, HealAction } from './types.js';

export class RestartAction implements HealAction {
  constructor(
    private readonly d: ActionDeps,
    /** Restarts the dependents of a restarted container when its label or the setting asks. */
    private readonly afterRestart: (c: ContainerIdentity) => Promise<void>,
  ) {}

  async run(req: ActionRequest): Promise<AuditEvent | null> {
    const done = await actOnEngine(this.d, req, 'restart');
    if (done === null) return null;
    if (done.failed) {
      if (done.retryAtMs !== null && !this.d.scheduler.stopped)
        this.d.scheduler.schedule(req.c, 'retry', done.retryAtMs, 'retry', req.reportedAtMs);
      return done.event;
    }
    await this.afterRestart(req.c);
    return done.event;
  }
}
