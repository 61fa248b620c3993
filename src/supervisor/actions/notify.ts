/**
 * Only a notification (`autoheal.action=notify`): the container is left running, and the
 * spell is marked notified so a reconcile does not notify again every interval.
 */
import type { AuditEvent } from '../../store/types.js';
import type { ActionDeps, ActionRequest, HealAction } from './types.js';

export class NotifyAction implements HealAction {
  constructor(private readonly d: ActionDeps) {}

  async run(req: ActionRequest): Promise<AuditEvent | null> {
    const { c, fresh, trigger } = req;
    if (req.record) this.d.records.save(c.id, { ...req.record, notified: true });
    await this.d.probes.afterReport(c.id);
    return this.d.recorder.record({
      kind: 'notified',
      c: { id: c.id, name: fresh.name },
      trigger,
      parent: null,
      probeOutput: req.probeLine,
      details: { state: fresh.state, health: fresh.health },
    });
  }
}
