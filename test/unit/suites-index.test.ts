// The Worker bundles one manifest import per suite folder: the committed index must list exactly
// the folders under models/ (npm run suites:index rewrites it; npm run build runs it).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED, suitesIndexSource } from "../../scripts/suites-index";

describe("functions/edge/models/suites.generated.ts", () => {
  it("is up to date with models/*/manifest.json", () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(suitesIndexSource());
    expect(suitesIndexSource()).toContain('assetPrefix: "models/sort-of-clevr/"');
  });
});
