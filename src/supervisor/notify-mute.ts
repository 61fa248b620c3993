/**
 * The label `autoheal.notify=false`: a container that carries it is healed and recorded as
 * any other, but no notification names it. Labels never change in a container's life, so
 * the muted ids are learnt from the events and lists the supervisor sees (every container
 * is in a reconcile's list, a new one in its `start` event) and nothing is asked of the
 * engine when a notification is sent.
 */
import type { ContainerEvent } from '../engine/types.js';
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { Notification } from '../notify/message.js';
import type { ContainerIdentity } from './enrollment.js';
import { notifyFromLabel } from './labels.js';
import type { OutcomeNotifier as HealNotifier } from './record/recorder.js';

export class NotifyMute implements HealNotifier {
  private readonly inner: HealNotifier | null;
  private readonly log: Logger;
  /** Ids of the containers whose label mutes them. */
  private readonly muted = new Set<string>();

  constructor(inner: HealNotifier | null, logger: Logger) {
    this.inner = inner;
    this.log = componentLogger(logger, 'notify');
  }

  /** A container seen in an event; a destroyed one is forgotten. */
  observe(e: Pick<ContainerEvent, 'action'> & ContainerIdentity): void {
    if (e.action === 'destroy') this.muted.delete(e.id);
    else this.learn(e);
  }

  /** Every container the engine has (a reconcile's list); ids it no longer has are dropped. */
  observeList(containers: readonly ContainerIdentity[]): void {
    const present = new Set(containers.map((c) => c.id));
    for (const id of this.muted) if (!present.has(id)) this.muted.delete(id);
    for (const c of containers) this.learn(c);
  }

  isMuted(id: string): boolean {
    return this.muted.has(id);
  }

  notify(n: Notification): void {
    if (this.muted.has(n.containerId)) {
      containerLogger(this.log, n.containerName, n.containerId).debug(
        { kind: n.kind },
        'notification not sent: muted by its label autoheal.notify=false',
      );
      return;
    }
    this.inner?.notify(n);
  }

  /** Not a notification but the operator's own program: it runs for a muted container too. */
  runPostRestartScript(call: Parameters<HealNotifier['runPostRestartScript']>[0]): void {
    this.inner?.runPostRestartScript(call);
  }

  notice(text: string): void {
    this.inner?.notice?.(text);
  }

  private learn(c: ContainerIdentity): void {
    if (notifyFromLabel(c.labels) === false) this.muted.add(c.id);
  }
}
