// Background head warm-up (inference/suite-runtime.ts, issue 15): after a suite's first answer the
// isolate loads the suite's other heads one at a time in waitUntil, so another fusion's first use finds
// its session ready. Uses the tiny fixture suite under its own id (sessions are shared by sha256
// across the test isolate, so the reports say which heads this warm-up loaded and which it found).
import { env, SELF } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isHeadLoaded, warmSuiteHeads } from "../../functions/edge/inference/suite-runtime";
import { bundledFiles } from "../../functions/edge/models/bundled-files";
import { registerSuite, type SuiteEntry } from "../../functions/edge/models/suites";
import expected from "../fixtures/tiny-suite/examples/expected.json";
import manifest from "../fixtures/tiny-suite/models/tiny-suite/manifest.json";
import { postJson } from "./helpers";
import { setFault } from "./scenes";
import { TINY_SUITE_CAPTION_FILES, TINY_SUITE_HEAD_FILES } from "./tiny-suite-files";

const utf8 = (text: string) => new TextEncoder().encode(text);
/**
 * The same graph in other bytes: ModelProto field 6 (doc_string) appended, which protobuf readers
 * take as the last value of that field. Sessions are shared by sha256 across this test isolate (other
 * files load these heads too), so each variant gets head files no other test has loaded.
 */
function tagged(file: ArrayBuffer, tag: string): Uint8Array {
  const text = utf8(tag);
  if (text.length > 127) throw new Error("tag too long for a one-byte length");
  const out = new Uint8Array(file.byteLength + 2 + text.length);
  out.set(new Uint8Array(file), 0);
  out.set([0x32, text.length], file.byteLength);
  out.set(text, file.byteLength + 2);
  return out;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The fixture suite under another id, with its own head files; `broken` heads get a sha256 their file does not have. */
async function variant(id: string, broken: readonly string[] = []): Promise<SuiteEntry> {
  const m = structuredClone(manifest) as typeof manifest;
  m.id = id;
  // Own feature-cache keys (they carry the encoder version): this file's requests must not fill the
  // cache entries the bring-your-own-suite test expects to miss on its first request.
  for (const mod of m.modalities) mod.encoder.version = `1.0.0-${id}`;
  const heads: Record<string, Uint8Array> = {};
  for (const h of m.heads) {
    const bytes = tagged(TINY_SUITE_HEAD_FILES[h.file]!, `${id} ${h.fusion}`);
    heads[h.file] = bytes;
    h.sha256 = broken.includes(h.fusion) ? "0".repeat(64) : await sha256Hex(bytes);
    h.bytes = bytes.length;
  }
  const files = bundledFiles({ ...TINY_SUITE_CAPTION_FILES, ...heads });
  return registerSuite(m, files, `head-warmup test: ${id}`);
}

let healthy: SuiteEntry;
let broken: SuiteEntry;
let viaRequest: SuiteEntry;
beforeAll(async () => {
  healthy = await variant("tiny-suite-warm");
  broken = await variant("tiny-suite-warm-broken", ["lmf"]);
  viaRequest = await variant("tiny-suite-warm-request");
});

beforeEach(async () => {
  await setFault("pass");
});

describe("warmSuiteHeads", () => {
  it("loads every head of the suite once, and a second call does nothing", async () => {
    for (const h of healthy.manifest.heads) expect(isHeadLoaded(h), h.id).toBe(false);
    const report = await warmSuiteHeads(healthy, env.ASSETS);
    expect(report).toEqual({ started: true, loaded: healthy.manifest.heads.map((h) => h.id), alreadyLoaded: [], failed: [] });
    for (const h of healthy.manifest.heads) expect(isHeadLoaded(h), h.id).toBe(true);
    const again = await warmSuiteHeads(healthy, env.ASSETS);
    expect(again).toEqual({ started: false, loaded: [], alreadyLoaded: [], failed: [] });
  });

  it("never throws: a head whose file fails its checksum is reported, forgotten, and the rest still load", async () => {
    const report = await warmSuiteHeads(broken, env.ASSETS);
    const lmf = broken.manifest.heads.find((h) => h.fusion === "lmf")!;
    expect(report.failed).toEqual([lmf.id]);
    expect(report.loaded).toEqual(broken.manifest.heads.filter((h) => h !== lmf).map((h) => h.id));
    expect(isHeadLoaded(lmf)).toBe(false); // a later request retries the load and reports its error
  });
});

describe("after a suite's first answer", () => {
  it("the other heads load in the background (waitUntil) without the request waiting for them", async () => {
    const suite = viaRequest;
    for (const h of suite.manifest.heads) expect(isHeadLoaded(h), h.id).toBe(false);
    const e = expected.examples[0]!;
    const res = await postJson(`/v1/suites/${suite.manifest.id}/predict`, {
      fusion: "concat",
      // a caption no other test sends: text features are cached per encoder file, shared across suites
      inputs: { caption: `${e.caption} (warm-up test)`, photo: { base64: e.photoBase64 }, voice: { base64: e.voiceBase64 } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // The warm-up continues after the response: poll (bounded) until every head has a session.
    for (let i = 0; i < 200 && !suite.manifest.heads.every(isHeadLoaded); i++) await new Promise((r) => setTimeout(r, 100));
    for (const h of suite.manifest.heads) expect(isHeadLoaded(h), h.id).toBe(true);
    // Warming is once per suite version: the request's warm-up already ran.
    expect((await warmSuiteHeads(suite, env.ASSETS)).started).toBe(false);
  });
});

// SELF is imported so the Worker (and its global-scope start-up) is loaded before these tests run.
void SELF;
