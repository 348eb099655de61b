// Dynamic batching: concurrent requests share encoder runs; multi-image requests stay whole;
// the queue is bounded (503 queue_full) and requests have a deadline (503 timeout), as in Triton.
import { afterEach, describe, expect, it } from "vitest";
import { Batcher } from "../../functions/image-features/batcher.js";
import type { EncoderOutput } from "../../functions/image-features/encoder.js";
import type { RunningServer } from "../../functions/image-features/server.js";
import { authHeaders, encode, histogram, jsonInfer, rawPixels, readInfer, start } from "./helpers.js";

const INFER = "/v2/models/image-encoder/infer";
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const inferOne = (url: string, img: Buffer) => fetch(`${url}${INFER}`, { method: "POST", body: jsonInfer([img]), headers: authHeaders() });

describe("dynamic batching in the server", () => {
  it("groups 16 concurrent single-image requests into batches larger than 1", async () => {
    server = await start({ batching: { maxBatchSize: 16, maxQueueDelayMs: 20 } });
    const images = await Promise.all(Array.from({ length: 16 }, (_, i) => encode(rawPixels(100 + i), "png")));
    const responses = await Promise.all(images.map((img) => inferOne(server!.url, img)));
    expect(responses.map((r) => r.status)).toEqual(Array(16).fill(200));
    const sizes = responses.map((r) => Number(r.headers.get("x-batch-size")));
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
    const buckets = histogram(metrics, "image_features_batch_size");
    const batches = buckets.get("+Inf") ?? 0;
    expect(buckets.get("1") ?? 0).toBeLessThan(batches); // some batch held more than one image
    expect(batches).toBeLessThan(16 + 1); // 16 requests (+1 would be a stray warm-up) in fewer runs
    expect(metrics).toMatch(/image_features_images_total\{model="fixture-image"\} 16/);
  });

  it("gives each request its own rows of a shared batch", async () => {
    server = await start({ batching: { maxBatchSize: 8, maxQueueDelayMs: 250 } });
    const images = await Promise.all([1, 2, 3].map((s) => encode(rawPixels(s), "png")));
    const alone = await Promise.all(images.map(async (img) => (await readInfer(await inferOne(server!.url, img))).outputs.get("pooled")!.data));
    // Now all three at once, one of them as a 2-image request.
    const [a, bc] = await Promise.all([
      inferOne(server.url, images[0]!),
      fetch(`${server.url}${INFER}`, { method: "POST", body: jsonInfer([images[1]!, images[2]!]), headers: authHeaders() }),
    ]);
    expect(a.headers.get("x-batch-size")).toBe("3");
    const pa = (await readInfer(a)).outputs.get("pooled")!;
    const pbc = (await readInfer(bc)).outputs.get("pooled")!;
    expect(pbc.shape).toEqual([2, 64]);
    const close = (x: Float32Array, y: Float32Array) => x.every((v, i) => Math.abs(v - (y[i] ?? NaN)) <= 1e-5);
    expect(close(pa.data, alone[0]!)).toBe(true);
    expect(close(pbc.data.subarray(0, 64), alone[1]!)).toBe(true);
    expect(close(pbc.data.subarray(64), alone[2]!)).toBe(true);
  });

  it("answers 503 queue_full when the queue is full and 503 timeout when a request outlives its deadline", async () => {
    // Triton's exact rule (no adaptive delay) so requests really sit in the queue.
    server = await start({ batching: { maxBatchSize: 64, maxQueueDelayMs: 1500, maxQueue: 2, adaptiveDelay: false }, limits: { requestTimeoutMs: 5000 } });
    const img = await encode(rawPixels(42), "png");
    const statuses = (await Promise.all([0, 1, 2].map(async (i) => {
      await new Promise((r) => setTimeout(r, i * 100)); // the third arrives while two are queued
      const res = await inferOne(server!.url, img);
      return { status: res.status, body: (await res.json()) as { code?: string } };
    })));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 503]);
    expect(statuses[2]?.body.code).toBe("queue_full");
    await server.close();

    server = await start({ batching: { maxBatchSize: 64, maxQueueDelayMs: 3000, adaptiveDelay: false }, limits: { requestTimeoutMs: 200 } });
    const t0 = performance.now();
    const res = await inferOne(server.url, img);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as { code: string }).code).toBe("timeout");
    expect(performance.now() - t0).toBeLessThan(2000);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
    expect(metrics).toMatch(/^image_features_queue_depth\{model="fixture-image"\} 0$/m); // the timed-out request left the queue
  });
});

describe("Batcher", () => {
  const fakeRun = (calls: number[]) => async (batch: Float32Array, count: number): Promise<EncoderOutput[]> => {
    calls.push(count);
    await new Promise((r) => setTimeout(r, 5));
    return [{ name: "echo", shape: [1], data: Float32Array.from({ length: count }, (_, i) => batch[i] ?? NaN) }];
  };

  it("never splits a request and runs oversized requests alone", async () => {
    const calls: number[] = [];
    const b = new Batcher({ maxBatchSize: 4, maxQueueDelayMs: 10 }, fakeRun(calls));
    // 1+2+1 fill a batch of 4; the 6-image request runs alone; the last 3 wait out the delay.
    const jobs = [1, 2, 1, 6, 3].map((n, j) => b.submit(Float32Array.from({ length: n }, (_, i) => j * 10 + i), n));
    const results = await Promise.all(jobs);
    expect(calls).toEqual([4, 6, 3]);
    expect(Array.from(results[1]!.outputs[0]!.data)).toEqual([10, 11]);
    expect(Array.from(results[3]!.outputs[0]!.data)).toEqual([30, 31, 32, 33, 34, 35]);
    expect(results.map((r) => r.batchSize)).toEqual([4, 4, 4, 6, 3]);
  });

  it("adaptive delay: runs at once when nobody else is arriving, waits while someone is", async () => {
    const calls: number[] = [];
    let arriving = 0;
    const b = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 60_000, arriving: () => arriving }, fakeRun(calls));
    const t0 = performance.now();
    await b.submit(new Float32Array([1]), 1);
    expect(performance.now() - t0).toBeLessThan(1000);
    arriving = 1; // a second request is still decoding: the first waits for it
    const first = b.submit(new Float32Array([2]), 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([1]);
    arriving = 0;
    const second = b.submit(new Float32Array([3]), 1);
    await Promise.all([first, second]);
    expect(calls).toEqual([1, 2]);
    arriving = 1;
    const third = b.submit(new Float32Array([4]), 1);
    arriving = 0; // the awaited request failed to decode: poke re-checks
    b.poke();
    await third;
    expect(calls).toEqual([1, 2, 1]);
  });

  it("drain runs queued work at once", async () => {
    const calls: number[] = [];
    const b = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 60_000 }, fakeRun(calls));
    const job = b.submit(new Float32Array([7]), 1);
    await b.drain();
    expect((await job).outputs[0]!.data[0]).toBe(7);
  });
});
