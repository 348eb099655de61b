/**
 * Single-flight: concurrent callers asking for the same key while its computation is running share
 * that one computation (one upstream call, one encoder run) instead of starting their own. The
 * entry lives only while the computation runs: a failure reaches every waiter and nothing of it is
 * remembered, so the next caller starts afresh. Per isolate, which is where concurrent requests meet.
 */
export class SingleFlight<V> {
  private readonly running = new Map<string, Promise<V>>();

  /** How many keys are being computed right now. */
  get size(): number {
    return this.running.size;
  }

  /** Joins the computation of `key` if one runs, else starts `compute`. `shared` says which. */
  run(key: string, compute: () => Promise<V>): { readonly promise: Promise<V>; readonly shared: boolean } {
    const existing = this.running.get(key);
    if (existing) return { promise: existing, shared: true };
    const promise = this.track([key], () => compute().then((v) => [v]))[0]!;
    return { promise, shared: false };
  }

  /**
   * For a batch: keys already running are joined; the others are computed together by one call of
   * `computeMany` (which gets them in order and must return one value per key).
   */
  runMany(keys: readonly string[], computeMany: (missing: readonly string[]) => Promise<readonly V[]>): { readonly promises: Promise<V>[]; readonly shared: boolean[] } {
    const unique = [...new Set(keys)];
    const own = unique.filter((k) => !this.running.has(k));
    const started = own.length ? this.track(own, () => computeMany(own)) : [];
    const ownPromise = new Map(own.map((k, i) => [k, started[i]!]));
    return {
      promises: keys.map((k) => ownPromise.get(k) ?? this.running.get(k)!),
      shared: keys.map((k) => !ownPromise.has(k)),
    };
  }

  private track(keys: readonly string[], compute: () => Promise<readonly V[]>): Promise<V>[] {
    const all = Promise.resolve().then(compute).then((values) => {
      if (values.length !== keys.length) throw new Error(`single-flight: ${values.length} values for ${keys.length} keys`);
      return values;
    });
    const promises = keys.map((_, i) => all.then((v) => v[i]!));
    keys.forEach((k, i) => this.running.set(k, promises[i]!));
    const done = () => keys.forEach((k, i) => this.running.get(k) === promises[i] && this.running.delete(k));
    all.then(done, done);
    // Waiters observe the rejection; this handler only keeps an unobserved one from being reported.
    for (const p of promises) p.catch(() => {});
    return promises;
  }
}
