// The real CLI entry as a child process: ready line, auth refusal rules, and graceful SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { encode, FIXTURE_MODEL, fixtureImageConfig, fixtureRepository, jsonInfer, makeRepository, rawPixels, ROOT, TOKEN } from "./helpers.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

function launch(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "functions/image-features/main.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", IMAGE_FEATURES_REPOSITORY: fixtureRepository(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const ready = new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /image-features ready on (http:\/\/\S+) \(models ([^;]+); provider (\S+)\)/.exec(stdout);
      if (m?.[1]) {
        clearInterval(poll);
        resolve(m[1]);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`exited ${code} before ready: ${stderr}`));
    });
  });
  ready.catch(() => {});
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

describe("CLI entry (functions/image-features/main.ts)", () => {
  it("prints one ready line, serves, and on SIGTERM finishes an in-flight request before exiting 0", async () => {
    const p = launch(["--port", "0", "--host", "127.0.0.1", "--max-queue-delay-ms", "1500", "--max-batch-size", "64", "--adaptive-delay", "off"], { IMAGE_FEATURES_TOKEN: TOKEN });
    const url = await p.ready;
    expect(p.output().stdout).toMatch(/^image-features ready on http:\/\/127\.0\.0\.1:\d+ \(models fixture-audio, fixture-image; provider cpu\)\n$/);
    const headers = { authorization: `Bearer ${TOKEN}` };
    // This request waits in the batch queue (1.5 s delay) when SIGTERM arrives.
    const inflight = fetch(`${url}/v2/models/image-encoder/infer`, { method: "POST", body: jsonInfer([await encode(rawPixels(1), "png")]), headers });
    for (let i = 0; i < 100; i++) {
      const metrics = await (await fetch(`${url}/metrics`, { headers })).text();
      if (/^image_features_queue_depth\{model="fixture-image"\} 1$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    p.child.kill("SIGTERM");
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outputs: unknown[] }).outputs).toHaveLength(2);
    expect(performance.now() - t0).toBeLessThan(1400); // drained at once, not after the batching delay
    expect(await p.exited).toBe(0);
    expect(p.output().stderr).toMatch(/shutdown complete/);
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });

  it("honours IMAGE_FEATURES_PORT and --insecure-local on loopback", async () => {
    const p = launch(["--insecure-local"], { IMAGE_FEATURES_PORT: "0" });
    const url = await p.ready;
    expect(url).not.toMatch(/:8081$/);
    const res = await fetch(`${url}/v2/models/image-encoder`);
    expect(res.status).toBe(200);
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
  });

  it("refuses to start with auth off on a non-loopback host, or without a token", async () => {
    const open = launch(["--insecure-local", "--host", "0.0.0.0", "--port", "0"]);
    expect(await open.exited).toBe(2);
    expect(open.output().stderr).toMatch(/refusing to start without auth on non-loopback host 0\.0\.0\.0/);
    const envOff = launch(["--host", "0.0.0.0", "--port", "0"], { IMAGE_FEATURES_AUTH: "off" });
    expect(await envOff.exited).toBe(2);
    const noToken = launch(["--port", "0"]);
    expect(await noToken.exited).toBe(2);
    expect(noToken.output().stderr).toMatch(/IMAGE_FEATURES_TOKEN is not set/);
  });

  it("refuses a missing repository, an invalid config, and a model file that does not match its sha256", async () => {
    const missing = launch(["--insecure-local", "--port", "0", "--repository", "test/image-features/does-not-exist"]);
    expect(await missing.exited).toBe(2);
    expect(missing.output().stderr).toMatch(/model repository .*does-not-exist is not a directory/);
    const invalid = makeRepository([{ config: fixtureImageConfig({ maxBatchSize: 0 }), files: { "1": FIXTURE_MODEL } }]);
    const bad = launch(["--insecure-local", "--port", "0", "--repository", invalid]);
    expect(await bad.exited).toBe(2);
    expect(bad.output().stderr).toMatch(/not a valid model config: maxBatchSize/);
    const tamperedRepo = makeRepository([{ config: fixtureImageConfig({ versions: { "1": { humanVersion: "x", sha256: "0".repeat(64) } } }), files: { "1": FIXTURE_MODEL } }]);
    const tampered = launch(["--insecure-local", "--port", "0", "--repository", tamperedRepo]);
    expect(await tampered.exited).toBe(2);
    expect(tampered.output().stderr).toMatch(/does not match config.json/);
    const unknown = launch(["--insecure-local", "--port", "0", "--models", "nope"]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output().stderr).toMatch(/model\(s\) nope not found/);
  });
});
