/**
 * Which container's health an event told of, and in what order: a reconcile's list, taken
 * before a health event was handled, is older than that event and must not override it.
 */
export class HealthEvents {
  private count = 0;
  /** Per container, the count at its latest health event. */
  private readonly latest = new Map<string, number>();

  /** A health event of this container is being handled. */
  seen(id: string): void {
    this.count += 1;
    this.latest.set(id, this.count);
  }

  /** A mark to compare with later (taken before a list is asked for). */
  mark(): number {
    return this.count;
  }

  /** A health event of this container was handled after `mark` was taken. */
  newerThan(id: string, mark: number): boolean {
    return (this.latest.get(id) ?? 0) > mark;
  }

  forget(id: string): void {
    this.latest.delete(id);
  }

  /** Forgets the containers no longer present. */
  keepOnly(present: ReadonlySet<string>): void {
    for (const id of this.latest.keys()) if (!present.has(id)) this.latest.delete(id);
  }
}
