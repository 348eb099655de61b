// Faults between the edge and the image-feature function: each gives its documented status, a
// failure is never cached (checked by reading the Cache API back, and by the next request being a
// miss), the circuit breaker opens and closes, and allowDegraded turns a failure into a flagged answer.
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { imageCacheKey } from "../../functions/edge/features/image";
import { type ErrorBody, postJson } from "./helpers";
import { faultCounts, scene, setFault } from "./scenes";

async function inKv(png: Uint8Array): Promise<boolean> {
  const key = await imageCacheKey(png);
  for (let i = 0; i < 25; i++) {
    if ((await env.FEATURE_KV!.get(key, "arrayBuffer")) !== null) return true;
    await new Promise((r) => setTimeout(r, 20)); // written through waitUntil
  }
  return false;
}

/** Reads both remote tiers back: the Cache API and the KV namespace the tests bind. */
async function cachedInCacheApi(png: Uint8Array): Promise<boolean> {
  const key = await imageCacheKey(png);
  const res = await caches.default.match("https://feature-cache.edgefuse.internal/" + encodeURIComponent(key));
  if (res) await res.arrayBuffer();
  const kv = await env.FEATURE_KV!.get(key, "arrayBuffer");
  return res !== undefined || kv !== null;
}

let index = 100;
const ask = async (mode: string, extra: Record<string, unknown> = {}) => {
  const s = await scene(index++);
  await setFault(mode);
  const res = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 }, ...extra });
  return { s, res, body: (await res.json()) as ErrorBody & { degraded?: boolean; cache?: { image: string }; answers?: unknown[] } };
};

afterAll(() => setFault("pass"));

describe("faults in the image-feature function", () => {
  const cases: [string, number, string, (received: number) => boolean][] = [
    ["refuse", 502, "image_features_unavailable", (n) => n === 3],
    ["500", 502, "image_features_unavailable", (n) => n === 3],
    ["hang", 504, "image_features_timeout", (n) => n >= 2],
    ["slow", 504, "image_features_timeout", (n) => n >= 2],
    ["garbage", 502, "image_features_bad_response", (n) => n === 1],
    ["bad-json", 502, "image_features_bad_response", (n) => n === 1],
    ["wrong-dims", 502, "image_features_bad_response", (n) => n === 1],
    ["nan", 502, "image_features_bad_response", (n) => n === 1],
    ["401", 502, "image_features_rejected", (n) => n === 1],
    // Triton's answers when the model repository does not match what the edge sends: an outage, not bad input.
    ["triton-datatype", 502, "image_features_bad_response", (n) => n === 1],
    ["triton-shape", 502, "image_features_bad_response", (n) => n === 1],
    ["triton-unknown-model", 502, "image_features_bad_response", (n) => n === 1],
    // Only the feature function's explicit rejection of the image is the caller's fault.
    ["corrupt-image", 422, "invalid_image", (n) => n === 1],
  ];
  it.each(cases)("%s → %i %s, retried only when retryable, nothing cached", async (mode, status, code, attempts) => {
    const { s, res, body } = await ask(mode);
    expect(res.status).toBe(status);
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/injected|garbage-bytes|unauthorized|TYPE_|Request for|corrupt or truncated/); // upstream bodies never leak
    expect(attempts((await faultCounts()).received)).toBe(true);
    expect(await cachedInCacheApi(s.png)).toBe(false);
    // The same image once the service is healthy: computed afresh, so nothing poisoned was stored.
    await setFault("pass");
    const again = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { cache: { image: string } }).cache.image).toBe("miss");
  });

  it("a Triton datatype mismatch (400) opens the circuit breaker: the outage is not blamed on the images", async () => {
    for (let i = 0; i < 3; i++) {
      const { res, body } = await ask("triton-datatype");
      expect(res.status).toBe(502);
      expect(body.error.code).toBe("image_features_bad_response");
      expect((await faultCounts()).received).toBe(1); // not retried: the answer will not change
    }
    const fast = await ask("pass");
    expect(fast.res.status).toBe(502);
    expect(fast.body.error.message).toMatch(/circuit open/);
    expect((await faultCounts()).received).toBe(0);
    await new Promise((r) => setTimeout(r, 1600)); // cooldown (IMAGE_FEATURES_BREAKER_COOLDOWN_MS)
    expect((await ask("pass")).res.status).toBe(200);
  });

  it("an image the feature function rejects leaves the breaker closed", async () => {
    for (let i = 0; i < 4; i++) expect((await ask("corrupt-image")).res.status).toBe(422);
    expect((await ask("pass")).res.status).toBe(200);
    expect((await faultCounts()).received).toBe(1);
  });

  it("a 503 followed by success is retried and answered", async () => {
    const { res } = await ask("503-once");
    expect(res.status).toBe(200);
    expect((await faultCounts()).received).toBe(2);
  });

  it("allowDegraded gives a text-only answer flagged degraded, and caches no image features", async () => {
    const { s, res, body } = await ask("500", { allowDegraded: true });
    expect(res.status).toBe(200);
    expect(body.degraded).toBe(true);
    expect((body as { modalitiesUsed?: string[] }).modalitiesUsed).toEqual(["question"]);
    expect(body.cache?.image).toBe("none");
    expect(body.answers?.length).toBeGreaterThan(0);
    expect(await cachedInCacheApi(s.png)).toBe(false);
    await setFault("pass");
    const healthy = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 } });
    expect(((await healthy.json()) as { degraded?: boolean; cache: { image: string } }).cache.image).toBe("miss");
  });

  it("the circuit breaker opens after repeated failures, fails fast, then closes after the cooldown", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await ask("500")).res.status).toBe(502);
      expect((await faultCounts()).received).toBe(3); // each call retried up to the attempt limit
    }
    const fast = await ask("pass"); // breaker open: no request leaves the edge
    expect(fast.res.status).toBe(502);
    expect(fast.body.error.message).toMatch(/circuit open/);
    expect((await faultCounts()).received).toBe(0);
    await new Promise((r) => setTimeout(r, 1600)); // cooldown (IMAGE_FEATURES_BREAKER_COOLDOWN_MS)
    const trial = await ask("pass");
    expect(trial.res.status).toBe(200);
    expect((await ask("pass")).res.status).toBe(200);
  });
});

describe("concurrent misses (single-flight)", () => {
  const askAll = async (n: number, s: Awaited<ReturnType<typeof scene>>) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await postJson("/v1/answer", { question: s.questions[i % s.questions.length]!.question, image: { base64: s.base64 } });
        return { status: res.status, body: (await res.json()) as ErrorBody & { cache?: { image: string } } };
      }),
    );

  it("ten concurrent /v1/answer requests about one new image make one upstream encode", async () => {
    const s = await scene(index++);
    await setFault("pass");
    const results = await askAll(10, s);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await faultCounts()).received).toBe(1);
    // Those that arrived while it was computed report a miss (they waited for it); a straggler may already find it cached.
    expect(results.every((r) => r.body.cache?.image === "miss" || r.body.cache?.image === "hit")).toBe(true);
    expect(results.some((r) => r.body.cache?.image === "miss")).toBe(true);
  });

  it("a failure reaches every waiter, is not cached, and the next request computes afresh", async () => {
    const s = await scene(index++);
    await setFault("500");
    const results = await askAll(10, s);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(502));
    expect(results.every((r) => r.body.error.code === "image_features_unavailable")).toBe(true);
    expect((await faultCounts()).received).toBe(3); // one call, its three attempts
    expect(await cachedInCacheApi(s.png)).toBe(false);
    await setFault("pass");
    const again = await askAll(3, s);
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await faultCounts()).received).toBe(1);
  });
});

describe("KV write policy (FEATURE_KV_WRITES = on-reuse)", () => {
  it("a new image goes to the Cache API only; KV gets it when it is asked about again", async () => {
    const s = await scene(index++);
    await setFault("pass");
    const first = await postJson("/v1/answer", { question: s.questions[0]!.question, image: { base64: s.base64 } });
    expect(first.status).toBe(200);
    expect(await inKv(s.png)).toBe(false);
    const second = await postJson("/v1/answer", { question: s.questions[1]!.question, image: { base64: s.base64 } });
    expect(((await second.json()) as { cache: { image: string } }).cache.image).toBe("hit");
    expect(await inKv(s.png)).toBe(true);
  });
});
