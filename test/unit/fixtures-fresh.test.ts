// Reference fixtures must describe the model files that ship; rerun `npm run fixtures` when models/ changes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { suiteTextReference } from "../../scripts/fixtures/suite-text-expected";
import { TINY_BERT_TEXTS, tinyBertReference } from "../../scripts/fixtures/tiny-bert-expected";

describe("reference fixtures are fresh", () => {
  it("suite text encoder", async () => {
    const saved = JSON.parse(readFileSync("test/fixtures/suite-text-expected.json", "utf8"));
    const now = await suiteTextReference();
    expect(saved.modelSha256).toBe(now.modelSha256);
    expect(saved.texts).toEqual(JSON.parse(JSON.stringify(now.texts)));
  });
  it("tiny BERT folder", async () => {
    const saved = JSON.parse(readFileSync("test/fixtures/tiny-bert/expected.json", "utf8"));
    const now = await tinyBertReference("test/fixtures/tiny-bert", TINY_BERT_TEXTS);
    expect(saved).toEqual(JSON.parse(JSON.stringify(now)));
  });
});
