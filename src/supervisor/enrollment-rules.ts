/**
 * Enrollment as one object: it owns what decides who is monitored (the label setting, the
 * configured and the API's lists, autoheal's own id) and answers with the rules as they are
 * now, since the lists can change at any time. The supervisor, the healer and the
 * re-creator are handed the same one; the predicates themselves are in enrollment.ts.
 */
import type { Settings } from '../config/settings.js';
import type { Lists } from '../store/types.js';
import {
  type ContainerIdentity,
  type EnrollmentRules,
  type MonitorVerdict,
  monitorVerdict,
} from './enrollment.js';

export class Enrollment {
  constructor(
    private readonly settings: Pick<Settings, 'containerLabel' | 'exclude'>,
    private readonly lists: Pick<Lists, 'getList'>,
    /** autoheal's own container id, when it runs in one. */
    readonly selfId: string | null,
  ) {}

  /** `AUTOHEAL_CONTAINER_LABEL`: the enrolling label key, or `all`. */
  get labelKey(): string {
    return this.settings.containerLabel;
  }

  /** The excluded entries in effect: the configuration's and the API's. */
  effectiveExcluded(): string[] {
    return [...new Set([...this.settings.exclude, ...this.lists.getList('excluded')])];
  }

  /** The rules as they are now. */
  rules(): EnrollmentRules {
    return {
      labelKey: this.settings.containerLabel,
      excluded: this.effectiveExcluded(),
      selected: this.lists.getList('selected'),
      selfId: this.selfId,
    };
  }

  /**
   * Whether this container is monitored now, and why (not): the one place the verdict is
   * asked for. `rules` lets a caller judging many containers read the lists once.
   */
  verdict(c: ContainerIdentity, rules: EnrollmentRules = this.rules()): MonitorVerdict {
    return monitorVerdict(c, rules);
  }
}
