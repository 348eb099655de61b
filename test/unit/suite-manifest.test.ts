// The suite manifest v2 schema (functions/suites/): the shipped suite validates, and each
// cross-field rule rejects the manifest that breaks it with a message naming the field.
import { mkdtempSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSuiteManifest, SuiteManifestError, suiteFiles, type SuiteManifest } from "../../functions/suites/manifest";
import { checkSuiteFiles, readSuiteManifest, suiteDirs } from "../../functions/suites/node";

const shipped = readSuiteManifest("models/sort-of-clevr");
const clone = (): Record<string, unknown> & SuiteManifest => structuredClone(shipped) as Record<string, unknown> & SuiteManifest;

function problems(value: unknown): string[] {
  try {
    parseSuiteManifest(value, "test");
  } catch (err) {
    if (err instanceof SuiteManifestError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("suite manifest v2", () => {
  it("models/ holds the sort-of-clevr suite and it validates, files and sha256 included", () => {
    expect(suiteDirs("models")).toContain(join("models", "sort-of-clevr"));
    expect(shipped.schemaVersion).toBe(2);
    expect(shipped.modalities.map((m) => [m.name, m.kind, m.encoder.runs, m.required])).toEqual([
      ["question", "text", "edge", true],
      ["image", "image", "remote", true],
    ]);
    expect(checkSuiteFiles("models/sort-of-clevr", shipped, "models")).toEqual([]);
  });

  it("fills defaults: absent, maskInput, temperature, score, attention", () => {
    const raw = clone() as unknown as { heads: Record<string, unknown>[] };
    for (const h of raw.heads) {
      delete h.absent;
      delete h.maskInput;
      delete h.temperature;
      (h.outputs as Record<string, unknown>) = { logits: "logits" };
    }
    const m = parseSuiteManifest(raw);
    expect(m.heads[0]).toMatchObject({ absent: null, maskInput: null, temperature: 1, outputs: { logits: "logits", score: null, attention: null } });
  });

  it("rejects a schema 1 manifest with a pointer to the docs", () => {
    expect(problems({ schema: 1, suite: { id: "x" } })[0]).toMatch(/schemaVersion 2/);
  });

  it("rejects heads that read unknown modalities or outputs", () => {
    const m = clone();
    (m.heads[0] as { modalities: string[] }).modalities = ["question", "audio"];
    expect(problems(m).join("\n")).toMatch(/heads\.0\.modalities: unknown modality audio/);
    const n = clone();
    // the attention head reads the image grid: point one of its image inputs at an output that does not exist
    const h = n.heads.findIndex((x) => x.fusion === "attention");
    const i = n.heads[h]!.inputs.findIndex((x) => x.modality === "image");
    (n.heads[h]!.inputs[i] as { output: string }).output = "nope";
    expect(problems(n).join("\n")).toMatch(new RegExp(`heads\\.${h}\\.inputs\\.${i}\\.output: image's encoder has no output nope`));
  });

  it("rejects a default fusion without a head, duplicate names, and non-text encoders at the edge", () => {
    const m = clone();
    (m as { defaultFusion: string }).defaultFusion = "gated";
    expect(problems(m).join("\n")).toMatch(/defaultFusion: no head has fusion gated/);
    const d = clone();
    (d.modalities as unknown[]).push(structuredClone(d.modalities[0]));
    expect(problems(d).join("\n")).toMatch(/modality names must be unique/);
    const e = clone();
    (e.modalities[1] as { encoder: unknown }).encoder = { ...structuredClone(e.modalities[0]!.encoder) };
    expect(problems(e).join("\n")).toMatch(/only text encoders run at the edge/);
  });

  it("rejects paths that leave the suite folder and bad checksums", () => {
    const m = clone();
    (m.heads[0] as { file: string }).file = "../../etc/passwd";
    expect(problems(m).join("\n")).toMatch(/heads\.0\.file: file must be a relative path/);
    const s = clone();
    (s.heads[0] as { sha256: string }).sha256 = "ABC";
    expect(problems(s).join("\n")).toMatch(/heads\.0\.sha256/);
  });

  it("the file check reports a corrupted file", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "suite-")), "sort-of-clevr");
    cpSync("models/sort-of-clevr", dir, { recursive: true });
    const corrupted = shipped.heads[0]!.file;
    writeFileSync(join(dir, corrupted), "not a model");
    const found = checkSuiteFiles(dir, shipped, "models");
    expect(found).toHaveLength(2);
    expect(found[0]).toContain(`${corrupted}: 11 bytes, manifest says`);
    expect(found[1]).toMatch(new RegExp(`${corrupted.replace(".", "\\.")}: sha256 [0-9a-f]{64}, manifest says`));
    expect(suiteFiles(shipped).map((f) => f.file)).toContain("tokenizer.json");
  });
});
