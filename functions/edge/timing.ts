/** Collects stage durations for the `Server-Timing` header and the JSON `timings` field. */
export class ServerTiming {
  private readonly stages: [string, number][] = [];
  private readonly start = performance.now();

  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.stages.push([name, performance.now() - t0]);
    }
  }

  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, ms] of this.stages) out[name] = (out[name] ?? 0) + ms;
    out.total = performance.now() - this.start;
    return out;
  }

  header(): string {
    return Object.entries(this.toJSON())
      .map(([name, ms]) => `${name};dur=${ms.toFixed(3)}`)
      .join(", ");
  }
}
