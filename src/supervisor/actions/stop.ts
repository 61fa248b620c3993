/**
 * The stop (`autoheal.action=stop`): the container is stopped, not restarted, and left
 * stopped; a failed stop is not retried.
 */
import type { AuditEvent } from '../../store/types.js';
import { actOnEngine } from './engine-action.js';
import type { ActionDeps, ActionRequest, HealAction } from './types.js';

export class StopAction implements HealAction {
  constructor(private readonly d: ActionDeps) {}

  async run(req: ActionRequest): Promise<AuditEvent | null> {
    const done = await actOnEngine(this.d, req, 'stop');
    return done?.event ?? null;
  }
}
