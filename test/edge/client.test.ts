// The typed client (functions/client) against the real Worker: suites(), predict() in both
// encodings, and answer() with explain and answerable, all agreeing with each other.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createClient } from "../../functions/client";
import { scene, setFault } from "./scenes";

const client = (imageEncoding: "multipart" | "json" = "multipart") =>
  createClient({ baseUrl: "http://edge", imageEncoding, fetch: (input, init) => SELF.fetch(new Request(input, init)) });

describe("typed client", () => {
  it("lists suites and predicts with bytes (multipart), base64 JSON and the answer route alike", async () => {
    await setFault("pass");
    const s = await scene(21);
    const { suites } = await client().suites();
    expect(suites.map((x) => x.id)).toContain("sort-of-clevr");
    expect((await client().suite("sort-of-clevr")).defaultFusion).toBeTruthy();
    const q = s.questions[3]!.question;
    const multipart = await client("multipart").predict("sort-of-clevr", { question: q, image: s.png }, { fusion: "bilinear", explain: true });
    const json = await client("json").predict("sort-of-clevr", { question: q, image: s.png }, { fusion: "bilinear", explain: true });
    const answer = await client().answer({ question: q, image: s.png, fusion: "bilinear", explain: true });
    expect(multipart.meta.status).toBe(200);
    expect(multipart.predictions).toEqual(json.predictions);
    expect(answer.answers).toEqual(multipart.predictions);
    expect(answer.answerable).toBe(true);
    expect(answer.explanation?.attribution).toEqual(multipart.explanation?.attribution);
    expect(multipart.modalitiesUsed).toEqual(["question", "image"]);
  });

  it("a missing required modality rejects with the server's code", async () => {
    await expect(client().predict("sort-of-clevr", { question: "what shape is the red object?", image: null })).rejects.toMatchObject({ code: "missing_modality", status: 400 });
  });
});
