/**
 * Packs the fusion heads of a suite description: from a heads.json written by
 * scripts/heads/train_heads.py (head files next to it) or from heads listed in the description.
 * Each head's ONNX graph is read to check that its inputs are exactly the declared feature inputs
 * (+ the presence mask), that the declared outputs exist, and that every feature input has the
 * size of the encoder output feeding it, so a head that would fail at the first request fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Head } from "../../functions/suites/manifest-schema";
import { didYouMean, type HeadDescription } from "./description";
import { PackError, readSignature, sha256Of, type PackContext, type PackedModality } from "./encoders";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

interface HeadSource {
  readonly entry: Omit<Head, "sha256" | "bytes" | "file"> & { file: string };
  readonly src: string;
  readonly where: string;
}

function fromHeadsJson(ctx: PackContext, rel: string): { heads: HeadSource[]; defaultFusion?: string } {
  const path = resolve(ctx.from, rel);
  if (!existsSync(path)) throw new PackError(`heads: ${path} not found (run scripts/heads/train_heads.py --suite-dir <folder> first, or list the heads)`);
  let parsed: { heads?: unknown; defaultFusion?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as typeof parsed;
  } catch (err) {
    throw new PackError(`heads: ${path} is not JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? (parsed as unknown[]) : parsed.heads;
  if (!Array.isArray(list) || list.length === 0) throw new PackError(`heads: ${path} holds no heads`);
  const heads = list.map((h, i) => {
    const e = h as Head;
    // the trainer writes the .onnx files next to heads.json
    return { entry: { ...e, file: `heads/${basename(e.file)}` }, src: resolve(dirname(path), basename(e.file)), where: `${rel} heads[${i}] (${e.id})` };
  });
  return { heads, defaultFusion: typeof parsed.defaultFusion === "string" ? parsed.defaultFusion : undefined };
}

function fromDescription(ctx: PackContext, list: HeadDescription[]): HeadSource[] {
  return list.map((h, i) => {
    const inputs = Object.entries(h.inputs).map(([name, ref]) => {
      const [modality, output] = [ref.slice(0, ref.indexOf(".")), ref.slice(ref.indexOf(".") + 1)];
      return { name, modality, output };
    });
    const stem = basename(h.file).replace(/\.onnx$/, "");
    const entry = {
      id: h.id ?? `${ctx.suiteId}-${stem}`, version: h.version ?? ctx.suiteVersion, fusion: h.fusion, file: `heads/${basename(h.file)}`,
      modalities: h.modalities, inputs,
      outputs: { logits: h.outputs?.logits ?? "logits", score: h.outputs?.score ?? null, attention: h.outputs?.attention ?? null },
      ...(h.attentionGrid ? { attentionGrid: h.attentionGrid } : {}),
      absent: h.maskInput ? ("zeros" as const) : null, maskInput: h.maskInput ?? null, temperature: h.temperature ?? 1,
    };
    return { entry, src: resolve(ctx.from, h.file), where: `heads[${i}] (${h.file})` };
  });
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i] || d < 0 || b[i]! < 0);
}

function checkHead(h: HeadSource, mods: Map<string, PackedModality>): void {
  const { entry, where } = h;
  const sig = readSignature(h.src, where);
  const graphIn = sig.inputs.map((x) => x.name);
  const graphOut = sig.outputs.map((x) => x.name);
  for (const name of entry.modalities) {
    if (!mods.has(name)) throw new PackError(`${where}: modality '${name}' is not one of the suite's${didYouMean(name, [...mods.keys()])}`);
  }
  const declared = new Set<string>();
  for (const input of entry.inputs) {
    declared.add(input.name);
    const g = sig.inputs.find((x) => x.name === input.name);
    if (!g) throw new PackError(`${where}: input '${input.name}' is not an input of ${basename(h.src)}${didYouMean(input.name, graphIn)}`);
    const mod = mods.get(input.modality);
    if (!mod) throw new PackError(`${where}: input '${input.name}' reads modality '${input.modality}', which the suite does not have${didYouMean(input.modality, [...mods.keys()])}`);
    if (!entry.modalities.includes(input.modality)) throw new PackError(`${where}: input '${input.name}' reads '${input.modality}', which is not in the head's modalities [${entry.modalities.join(", ")}]`);
    const dims = mod.featureDims.get(input.output);
    if (!dims) throw new PackError(`${where}: input '${input.name}': ${input.modality}'s encoder has no output '${input.output}'${didYouMean(input.output, [...mod.featureDims.keys()])}`);
    if (g.datatype !== "FP32") throw new PackError(`${where}: input '${input.name}' is ${g.datatype}; heads take FP32 features`);
    if (!sameDims(g.shape.slice(1), dims)) {
      throw new PackError(`${where}: input '${input.name}' expects ${JSON.stringify(g.shape.slice(1))} per item, but ${input.modality}.${input.output} gives ${JSON.stringify(dims)}`);
    }
  }
  if (entry.maskInput) {
    declared.add(entry.maskInput);
    const g = sig.inputs.find((x) => x.name === entry.maskInput);
    if (!g) throw new PackError(`${where}: maskInput '${entry.maskInput}' is not an input of ${basename(h.src)}${didYouMean(entry.maskInput, graphIn)}`);
    if (!sameDims(g.shape.slice(1), [entry.modalities.length])) throw new PackError(`${where}: maskInput '${entry.maskInput}' must be [batch, ${entry.modalities.length}] (one column per modality), the graph says ${JSON.stringify(g.shape)}`);
  }
  const undeclared = graphIn.filter((n) => !declared.has(n));
  if (undeclared.length) throw new PackError(`${where}: graph inputs ${undeclared.join(", ")} are not declared (inputs or maskInput)`);
  for (const [key, name] of Object.entries(entry.outputs)) {
    if (name && !graphOut.includes(name)) throw new PackError(`${where}: outputs.${key} '${name}' is not an output of ${basename(h.src)}${didYouMean(name, graphOut)}`);
  }
}

export function packHeads(
  ctx: PackContext,
  heads: string | HeadDescription[],
  mods: Map<string, PackedModality>,
): { heads: Head[]; defaultFusion?: string; sources: string[] } {
  const loaded = typeof heads === "string" ? fromHeadsJson(ctx, heads) : { heads: fromDescription(ctx, heads) };
  const files = new Set<string>();
  const out: Head[] = [];
  for (const h of loaded.heads) {
    if (files.has(h.entry.file)) throw new PackError(`${h.where}: two heads share the file name ${basename(h.entry.file)}`);
    files.add(h.entry.file);
    checkHead(h, mods);
    const dst = join(ctx.suiteDir, h.entry.file);
    mkdirSync(dirname(dst), { recursive: true });
    copyFileSync(h.src, dst);
    const bytes = readFileSync(dst);
    out.push({ ...h.entry, sha256: sha256Of(bytes), bytes: bytes.length } as Head);
  }
  return { heads: out, defaultFusion: loaded.defaultFusion, sources: loaded.heads.map((h) => h.src) };
}
