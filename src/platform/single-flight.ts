/**
 * Single-flight by key. A flight that began before an invalidation of one of its tags is
 * detached: its callers still get its result, later callers start a new one.
 */
export class Flights<T> {
  private readonly inFlight = new Map<string, { promise: Promise<T>; tags: readonly string[] }>();

  has(key: string): boolean {
    return this.inFlight.has(key);
  }

  run(key: string, tags: readonly string[], start: () => Promise<T>): Promise<T> {
    const current = this.inFlight.get(key);
    if (current) return current.promise;
    const promise: Promise<T> = start().finally(() => {
      if (this.inFlight.get(key)?.promise === promise) this.inFlight.delete(key);
    });
    this.inFlight.set(key, { promise, tags });
    return promise;
  }

  detach(tags: ReadonlySet<string>): void {
    for (const [key, flight] of this.inFlight) if (flight.tags.some((tag) => tags.has(tag))) this.inFlight.delete(key);
  }

  detachAll(): void {
    this.inFlight.clear();
  }
}
