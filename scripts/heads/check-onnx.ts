// Parity check for exported heads: runs each case's inputs through onnxruntime-node and compares
// every output with the PyTorch values. Called by scripts/heads/train_heads.py after export.
//   npx tsx scripts/heads/check-onnx.ts cases.json   -> prints {"<file>": maxAbsDiff, ...}; exit 1 above tolerance
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";

type Named = Record<string, { dims: number[]; data: number[] }>;
type Cases = { tolerance: number; cases: { file: string; inputs: Named; outputs: Named }[] };

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error("usage: check-onnx.ts cases.json");
  const spec = JSON.parse(readFileSync(path, "utf8")) as Cases;
  const result: Record<string, number> = {};
  let failed = false;
  for (const c of spec.cases) {
    const session = await ort.InferenceSession.create(c.file);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(c.inputs)) feeds[name] = new ort.Tensor("float32", Float32Array.from(t.data), t.dims);
    const out = await session.run(feeds);
    let worst = 0;
    for (const [name, want] of Object.entries(c.outputs)) {
      const got = out[name];
      if (!got) throw new Error(`${c.file}: no output '${name}'`);
      if (got.dims.join(",") !== want.dims.join(",")) throw new Error(`${c.file}: output '${name}' dims ${got.dims} != ${want.dims}`);
      const data = got.data as Float32Array;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(data[i]! - want.data[i]!));
    }
    result[c.file] = worst;
    if (!(worst <= spec.tolerance)) {
      failed = true;
      console.error(`${c.file}: max |onnxruntime - torch| = ${worst} > ${spec.tolerance}`);
    }
    await session.release();
  }
  console.log(JSON.stringify(result));
  if (failed) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
