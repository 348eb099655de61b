import { describe, expect, it } from "vitest";
import { LruCache } from "../../functions/edge/cache/lru";

const bytes = (v: Float32Array) => v.byteLength;

describe("LruCache", () => {
  it("evicts the least recently used entry past the entry limit", () => {
    const c = new LruCache<Float32Array>(2, 1e9, bytes);
    c.set("a", new Float32Array(1));
    c.set("b", new Float32Array(1));
    expect(c.get("a")).toBeDefined(); // a is now newer than b
    c.set("c", new Float32Array(1));
    expect(c.has("a")).toBe(true);
    expect(c.has("b")).toBe(false);
    expect(c.has("c")).toBe(true);
  });

  it("keeps total bytes under the byte limit", () => {
    const c = new LruCache<Float32Array>(100, 40, bytes);
    for (let i = 0; i < 10; i++) c.set(String(i), new Float32Array(4)); // 16 bytes each
    expect(c.size).toBe(2);
    expect(c.bytes).toBe(32);
    expect([...Array(10).keys()].filter((i) => c.has(String(i)))).toEqual([8, 9]);
  });

  it("replacing a key updates the byte count, and oversized values are not stored", () => {
    const c = new LruCache<Float32Array>(10, 64, bytes);
    c.set("a", new Float32Array(4));
    c.set("a", new Float32Array(8));
    expect(c.bytes).toBe(32);
    c.set("huge", new Float32Array(100));
    expect(c.has("huge")).toBe(false);
    expect(c.has("a")).toBe(true);
  });
});
