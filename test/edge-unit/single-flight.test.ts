// Single-flight: concurrent misses of one key share one computation; failures reach every waiter
// and are not remembered.
import { describe, expect, it } from "vitest";
import { SingleFlight } from "../../functions/edge/cache/single-flight";

/** A computation the test finishes by hand, counting how often it was started. */
function gate<V>() {
  let starts = 0;
  let finish!: (v: V) => void;
  let fail!: (e: Error) => void;
  const compute = () => {
    starts++;
    return new Promise<V>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { compute, starts: () => starts, finish: (v: V) => finish(v), fail: (e: Error) => fail(e) };
}

describe("SingleFlight", () => {
  it("N concurrent callers of one key: one computation, the same value for all", async () => {
    const sf = new SingleFlight<string>();
    const g = gate<string>();
    const runs = Array.from({ length: 10 }, () => sf.run("k", g.compute));
    await Promise.resolve();
    expect(g.starts()).toBe(1);
    expect(runs.map((r) => r.shared)).toEqual([false, ...Array(9).fill(true)]);
    g.finish("v");
    expect(await Promise.all(runs.map((r) => r.promise))).toEqual(Array(10).fill("v"));
    expect(sf.size).toBe(0);
  });

  it("a failure reaches every waiter and is not remembered", async () => {
    const sf = new SingleFlight<string>();
    const g = gate<string>();
    const runs = Array.from({ length: 5 }, () => sf.run("k", g.compute));
    await Promise.resolve();
    g.fail(new Error("upstream down"));
    const settled = await Promise.allSettled(runs.map((r) => r.promise));
    expect(settled.every((s) => s.status === "rejected" && (s.reason as Error).message === "upstream down")).toBe(true);
    expect(sf.size).toBe(0);
    const again = sf.run("k", async () => "fresh");
    expect(again.shared).toBe(false);
    expect(await again.promise).toBe("fresh");
  });

  it("different keys do not wait for each other", async () => {
    const sf = new SingleFlight<string>();
    const a = gate<string>();
    const ra = sf.run("a", a.compute);
    const rb = sf.run("b", async () => "b");
    expect(await rb.promise).toBe("b");
    expect(a.starts()).toBe(1);
    a.finish("a");
    expect(await ra.promise).toBe("a");
  });

  it("a synchronous throw in compute is a rejection for the caller, not a crash", async () => {
    const sf = new SingleFlight<string>();
    const r = sf.run("k", () => {
      throw new Error("sync");
    });
    await expect(r.promise).rejects.toThrow("sync");
    expect(sf.size).toBe(0);
  });

  it("runMany joins running keys and computes the rest in one batch", async () => {
    const sf = new SingleFlight<string>();
    const a = gate<string>();
    sf.run("a", a.compute);
    const batches: (readonly string[])[] = [];
    const many = sf.runMany(["a", "b", "c", "b"], async (own) => {
      batches.push(own);
      return own.map((k) => k.toUpperCase());
    });
    expect(many.shared).toEqual([true, false, false, false]);
    await new Promise((r) => setTimeout(r, 0));
    a.finish("A!");
    expect(await Promise.all(many.promises)).toEqual(["A!", "B", "C", "B"]);
    expect(batches).toEqual([["b", "c"]]);
  });

  it("runMany with a wrong number of values rejects every waiter", async () => {
    const sf = new SingleFlight<string>();
    const many = sf.runMany(["x", "y"], async () => ["only one"]);
    const settled = await Promise.allSettled(many.promises);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(sf.size).toBe(0);
  });
});
