// Exactly one module of the edge imports onnxruntime-web (functions/edge/inference/ort.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("onnxruntime-web is confined to one module", () => {
  it("only functions/edge/inference/ort.ts imports it", () => {
    const importers = files("functions/edge").filter((f) => /from\s+["']onnxruntime-web/.test(readFileSync(f, "utf8")));
    expect(importers).toEqual(["functions/edge/inference/ort.ts"]);
  });
});
