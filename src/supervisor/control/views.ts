/**
 * The containers as the API shows them: each with autoheal's verdict on it, its restarts,
 * its holds, its damping state and its last probe output; and the lookup of one by name or id.
 */
import type { Settings } from '../../config/settings.js';
import type { ContainerSource } from '../../engine/container-source.js';
import type { ContainerSnapshot } from '../../engine/types.js';
import { bareName, idMatches } from '../../shared/container-ref.js';
import type { AuditTrail, HealRecords } from '../../store/types.js';
import { dampingSettings, dampingView } from '../damping-view.js';
import { type EnrollmentRules, ownLabels } from '../enrollment.js';
import type { Enrollment } from '../enrollment-rules.js';
import type { Healer } from '../heal/healer.js';
import type { HoldKeeper } from '../hold-keeper.js';
import type { ContainerView } from '../types.js';

export interface ViewDeps {
  containers: ContainerSource;
  store: Pick<AuditTrail, 'restartCount' | 'lastRestartAt'> & Pick<HealRecords, 'getHealRecord'>;
  enrollment: Pick<Enrollment, 'verdict' | 'rules'>;
  healer: Pick<Healer, 'probeLine'>;
  holds: Pick<HoldKeeper, 'silencedUntil'>;
  settings: Settings;
  now: () => number;
}

export class ContainerViews {
  constructor(private readonly d: ViewDeps) {}

  view(c: ContainerSnapshot, rules: EnrollmentRules = this.d.enrollment.rules()): ContainerView {
    const d = this.d;
    const verdict = d.enrollment.verdict(c, rules);
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      health: c.health,
      monitored: verdict.monitored,
      excluded: verdict.excluded,
      enrolled_by: verdict.enrolledBy,
      restart_count: d.store.restartCount(c.name),
      last_restart_at: d.store.lastRestartAt(c.name),
      gave_up: d.store.getHealRecord(c.id)?.gaveUpAt != null,
      silenced_until: d.holds.silencedUntil(c.name),
      last_probe_output: d.healer.probeLine(c.id),
      damping: dampingView(d.store.getHealRecord(c.id), dampingSettings(c.labels, d.settings), d.now()),
      labels: ownLabels(c.labels, rules.labelKey),
    };
  }

  async list(): Promise<ContainerView[]> {
    const rules = this.d.enrollment.rules();
    const all = await this.d.containers.list();
    return all.map((c) => this.view(c, rules)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By name, full id, or a unique id prefix; null when none matches. */
  async find(ref: string): Promise<ContainerSnapshot | null> {
    const wanted = bareName(ref);
    const all = await this.d.containers.list();
    const exact = all.find((c) => c.name === wanted || c.id === wanted);
    if (exact) return exact;
    const byPrefix = all.filter((c) => idMatches(c.id, wanted));
    return byPrefix.length === 1 ? (byPrefix[0] ?? null) : null;
  }
}
