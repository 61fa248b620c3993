/**
 * The loop-damping state of each container (its `HealRecord`, kept in the store) and the
 * damping settings that apply to it: the globals with its own labels' overrides.
 */
import type { Settings } from '../../config/settings.js';
import type { HealRecords as HealRecordStore } from '../../store/types.js';
import { dampingSettings } from '../damping-view.js';
import type { ContainerIdentity } from '../enrollment.js';
import { emptyRecord, type HealRecord } from '../restart-policy.js';

export class HealRecords {
  constructor(
    private readonly store: HealRecordStore,
    private readonly settings: Settings,
  ) {}

  /** The stored record, or null when the container has none. */
  find(id: string): HealRecord | null {
    return this.store.getHealRecord(id);
  }

  /** The stored record, or a fresh one. */
  get(id: string, name: string): HealRecord {
    return this.store.getHealRecord(id) ?? emptyRecord(name);
  }

  save(id: string, r: HealRecord): void {
    this.store.setHealRecord(id, r);
  }

  drop(id: string): void {
    this.store.setHealRecord(id, null);
  }

  /** The damping settings for this container: the globals, with its own labels' overrides. */
  damping(c: ContainerIdentity): Settings {
    return dampingSettings(c.labels, this.settings);
  }
}
