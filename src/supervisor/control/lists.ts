/**
 * The operator's lists (`selected`, `excluded`) as the API edits them: a change is written
 * down and takes effect at once (the caller reconciles); entries from the configuration
 * cannot be removed through the API.
 */
import type { Settings } from '../../config/settings.js';
import type { ListName, Lists } from '../../store/types.js';
import type { Recorder } from '../record/recorder.js';
import type { ListChange } from '../types.js';

export interface ListEditorDeps {
  store: Lists;
  settings: Pick<Settings, 'exclude'>;
  recorder: Recorder;
  /** A list changed: newly selected containers are enrolled and healed if unhealthy. */
  changed: () => void;
}

export class ListEditor {
  constructor(private readonly d: ListEditorDeps) {}

  replace(list: ListName, entries: string[]): ListChange {
    return this.write(list, [...new Set(entries)], 'Replaced');
  }

  add(list: ListName, entry: string): ListChange {
    const current = this.d.store.getList(list);
    if (current.includes(entry) || this.fromConfig(list, entry))
      return { ok: true, changed: false, entries: current };
    return this.write(list, [...current, entry], 'Changed');
  }

  remove(list: ListName, entry: string): ListChange {
    if (this.fromConfig(list, entry)) return { ok: false, reason: 'from_config' };
    const current = this.d.store.getList(list);
    if (!current.includes(entry)) return { ok: false, reason: 'absent' };
    return this.write(
      list,
      current.filter((e) => e !== entry),
      'Changed',
    );
  }

  private fromConfig(list: ListName, entry: string): boolean {
    return list === 'excluded' && this.d.settings.exclude.includes(entry);
  }

  private write(list: ListName, next: string[], how: string): ListChange {
    const before = this.d.store.getList(list);
    const added = next.filter((e) => !before.includes(e));
    const removed = before.filter((e) => !next.includes(e));
    if (added.length === 0 && removed.length === 0) return { ok: true, changed: false, entries: before };
    this.d.store.setList(list, next);
    this.d.recorder.record({ kind: 'list_changed', list, how, added, removed, entries: next });
    this.d.changed();
    return { ok: true, changed: true, entries: next };
  }
}
