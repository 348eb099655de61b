/**
 * `npm run fixtures:tiny-suite [-- --out DIR]`: regenerates the three-modality fixture suite in
 * test/fixtures/tiny-suite/ (or DIR) by walking the bring-your-own-suite path end to end, from a seed:
 *   1. scripts/suite/make-tiny-suite.py writes the user's files (random image/audio encoders, PNG/WAV
 *      examples, a CSV) into a temporary folder; the text encoder is the tiny-bert fixture;
 *   2. suite:features computes the features as they will be served (edge text maths here, image and
 *      audio through the feature function);
 *   3. scripts/heads/train_heads.py trains every fusion head;
 *   4. suite:pack writes test/fixtures/tiny-suite/models/{tiny-suite,repository/...};
 *   5. a few clear examples are copied to test/fixtures/tiny-suite/examples/ with expected.json:
 *      their features and every head's probabilities (all modalities, and without the optional voice),
 *      computed offline in onnxruntime-node, which the end-to-end test compares the served answers to.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RemoteEncoder } from "../../functions/suites/manifest-schema";
import { readSuiteManifest } from "../../functions/suites/node";
import { startProcess } from "../bench/lib";
import { parseCsv } from "./csv";
import { extractFeatures } from "./extract-features";
import { predictOffline } from "./offline-predict";
import { pack } from "./pack";
import { remoteFeatures } from "./remote-features";
import { TextFeatures } from "./text-features";

const SEED = 20261127;
// --out DIR writes elsewhere (e.g. to check that a rerun reproduces the committed files)
const outAt = process.argv.indexOf("--out");
const FIXTURE = resolve(outAt >= 0 ? process.argv[outAt + 1]! : "test/fixtures/tiny-suite");
const TINY_BERT = resolve("test/fixtures/tiny-bert");

const DESCRIPTION = `# The fixture suite's description, as a user would write it (see docs/bring-your-own-suite.md).
# npm run fixtures:tiny-suite writes it into a temporary user folder next to the encoders/ and heads/ it names
# (generated there) and packs that folder into models/; this copy records what was packed.
id: tiny-suite
version: 1.0.0
title: Tiny three-modality fixture
description: Which colour (red, green or blue) an example is about, from a caption, a photo and an optional voice clip.
seed: ${SEED}
task:
  labels: [red, green, blue]
modalities:
  - name: caption
    kind: text
    encoder: { runs: edge, folder: ${TINY_BERT} }
    limits: { maxChars: 200, maxTokens: 32 }
  - name: photo
    kind: image
    encoder: { runs: remote, file: encoders/image.onnx, model: tiny-image }
  - name: voice
    kind: audio
    required: false
    encoder:
      runs: remote
      file: encoders/audio.onnx
      model: tiny-audio
      preprocess: { sampleRate: 8000, minSeconds: 0.25, maxSeconds: 2 }
heads: heads/heads.json
defaultFusion: attention
`;

function run(cmd: string, args: string[]): void {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
  if (r.status !== 0) throw new Error(`${cmd} failed with ${r.status}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "tiny-suite-"));
  const src = join(work, "src");
  try {
    run("/usr/bin/python3", ["scripts/suite/make-tiny-suite.py", src, "--seed", String(SEED), "--train", "1200", "--val", "300", "--test", "300", "--showcase", "1"]);
    writeFileSync(join(src, "suite.yaml"), DESCRIPTION);
    await extractFeatures({ from: src, csv: "examples.csv", out: join(work, "features"), val: 0, test: 0, seed: SEED, concurrency: 1 }); // one request at a time: no batching, so the same floats every run
    run("/usr/bin/python3", ["scripts/heads/train_heads.py", "--features", join(work, "features"), "--suite-dir", src, "--seed", String(SEED), "--d", "16", "--hidden", "32", "--epochs", "40"]);
    const models = join(FIXTURE, "models");
    rmSync(models, { recursive: true, force: true });
    await pack({ from: src, out: join(models, "tiny-suite"), repository: join(models, "repository"), force: true, log: console.log });
    // the suite folder keeps a copy of the description it was packed from (without machine paths)
    writeFileSync(join(FIXTURE, "suite.yaml"), DESCRIPTION.replace(TINY_BERT, "../tiny-bert"));

    // reference predictions for the showcase examples
    const suiteDir = join(models, "tiny-suite");
    const m = readSuiteManifest(suiteDir);
    const examplesDir = join(FIXTURE, "examples");
    rmSync(examplesDir, { recursive: true, force: true });
    mkdirSync(examplesDir, { recursive: true });
    const server = await startProcess(
      process.execPath,
      ["--import", "tsx", "functions/image-features/main.ts", "--repository", join(models, "repository"), "--host", "127.0.0.1", "--port", "0", "--insecure-local", "--provider", "cpu"],
      "",
      /ready on (http:\/\/\S+)/,
    );
    const url = server.readyLine.match(/ready on (http:\/\/\S+)/)![1]!;
    try {
      const caption = m.modalities.find((x) => x.name === "caption")!;
      const text = await TextFeatures.open(suiteDir, caption.encoder as never, 32);
      const expected = [];
      for (const row of parseCsv(readFileSync(join(src, "showcase.csv"), "utf8"))) {
        const files: Record<string, string> = {};
        const features = new Map<string, Map<string, Float32Array>>();
        features.set("caption", new Map([["last_hidden_state", await text.encode(row.caption!)]]));
        for (const name of ["photo", "voice"]) {
          const file = row[name]!.split("/").pop()!;
          cpSync(join(src, row[name]!), join(examplesDir, file));
          files[name] = file;
          const enc = m.modalities.find((x) => x.name === name)!.encoder as RemoteEncoder;
          features.set(name, await remoteFeatures(url, enc.model, enc.modelVersion, readFileSync(join(src, row[name]!)), enc.outputs));
        }
        const withoutVoice = new Map([...features].filter(([k]) => k !== "voice"));
        const heads: Record<string, { all: number[]; withoutVoice: number[] }> = {};
        for (const h of m.heads) {
          heads[h.fusion] = {
            all: (await predictOffline(suiteDir, m, h, features)).probabilities,
            withoutVoice: (await predictOffline(suiteDir, m, h, withoutVoice)).probabilities,
          };
        }
        expected.push({
          label: row.label, caption: row.caption, photo: files.photo, voice: files.voice,
          // the bytes too, for the workerd test (it cannot read files)
          photoBase64: readFileSync(join(src, row.photo!)).toString("base64"),
          voiceBase64: readFileSync(join(src, row.voice!)).toString("base64"),
          features: Object.fromEntries([...features].map(([k, v]) => [k, Object.fromEntries([...v].map(([o, a]) => [o, Array.from(a)]))])),
          heads,
        });
      }
      await text.close();
      writeFileSync(join(examplesDir, "expected.json"), JSON.stringify({ seed: SEED, examples: expected }, null, 1) + "\n");
      console.log(`wrote ${examplesDir}/expected.json (${expected.length} examples)`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
