/**
 * Modality handling: one modality's input → its features, through the tiered cache. Text kinds are
 * encoded at the edge with the suite's tokenizer + encoder; the other kinds go to the feature
 * function (concurrently with each other: the caller starts them together). The cache key is the
 * kind, the encoder's id@version+sha256 and the content hash, so every suite and route that uses
 * the same encoder shares entries, and retrained files never read old ones. Only validated
 * features are cached; failures throw before anything is written.
 */
import { featureKey, sha256Hex } from "../cache/feature-key";
import type { NamedVectors } from "../cache/tensor-codec";
import type { WaitUntil } from "../cache/tiered-cache";
import { AppError } from "../errors";
import { textEncoderOf } from "../inference/suite-runtime";
import type { SuiteEntry } from "../models/suites";
import type { Services } from "../services";
import type { ServerTiming } from "../timing";
import { contentVersion, type Modality, type RemoteEncoder } from "../../suites/manifest";
import { MODALITY_KIND_MODULES, type ModalityInput } from "./kinds";
import { textFeaturesFor } from "./text";

export type FeatureCacheStatus = "hit" | "miss";

export interface ModalityFeatures {
  /** One entry per row for text kinds (a batch of questions); one shared entry for the others. */
  readonly rows: readonly NamedVectors[];
  readonly keys: readonly string[];
  readonly cache: readonly FeatureCacheStatus[];
}

export interface FeatureContext {
  readonly suite: SuiteEntry;
  readonly services: Services;
  readonly assets: Fetcher;
  readonly waitUntil: WaitUntil;
  readonly timing: ServerTiming;
}

/** The request field that names a modality in error messages, and whether it holds a list of texts. */
export type FieldName = (mod: Modality) => { readonly name: string; readonly list: boolean };
export const inputsField: FieldName = (mod) => ({ name: `inputs.${mod.name}`, list: false });

export async function modalityFeatures(ctx: FeatureContext, mod: Modality, input: ModalityInput, field: FieldName = inputsField): Promise<ModalityFeatures> {
  const kind = MODALITY_KIND_MODULES[mod.kind];
  if (mod.encoder.runs === "edge") {
    if (input.form !== "text") throw new AppError(400, "invalid_input", `${field(mod).name} must be text`, { modality: mod.name });
    const encoder = textEncoderOf(ctx.suite, mod.name, ctx.assets);
    const output = mod.encoder.outputs[0]!.name;
    const where = field(mod);
    const text = await textFeaturesFor(encoder, ctx.services.textCache, input.texts, ctx.waitUntil, ctx.timing, where.name, where.list).catch((err: unknown) => {
      // name the modality, as every other per-modality error does
      if (err instanceof AppError && err.code === "text_too_long") throw new AppError(err.status, err.code, err.message, { ...err.details, modality: mod.name });
      throw err;
    });
    return { rows: text.vectors.map((v) => ({ [output]: v })), keys: text.keys, cache: text.cache };
  }
  const where = field(mod).name;
  let bytes: Uint8Array;
  if (input.form === "bytes") bytes = input.bytes;
  else if (input.form === "url") {
    const { config } = ctx.services;
    bytes = await ctx.timing.measure("fetch", () => kind.fetchUrl(input.url, { allowPrivate: config.imageUrlAllowPrivate, timeoutMs: config.imageUrlTimeoutMs }, where));
  } else throw new AppError(400, "invalid_input", `${where} must be ${mod.kind} bytes, not text`, { modality: mod.name });
  kind.checkBytes(bytes, mod, where);
  return remoteFeatures(ctx, mod, mod.encoder, bytes);
}

/** Cache key of a remote modality's features for these bytes. */
export async function remoteFeatureKey(mod: Modality, enc: RemoteEncoder, bytes: Uint8Array): Promise<string> {
  return featureKey(mod.kind, { id: enc.id, version: contentVersion(enc) }, await sha256Hex(bytes));
}

async function remoteFeatures(ctx: FeatureContext, mod: Modality, enc: RemoteEncoder, bytes: Uint8Array): Promise<ModalityFeatures> {
  const key = await remoteFeatureKey(mod, enc, bytes);
  const sizes = enc.outputs.map((o) => [o.name, o.shape.slice(1).reduce((a, b) => a * b, 1)] as const);
  const accept = (v: NamedVectors) => sizes.every(([name, size]) => v[name]?.length === size);
  const client = ctx.services.featureClient;
  const remoteKind = mod.kind === "audio" ? "audio" : "image";
  // Concurrent requests about the same new input share one upstream call (single-flight).
  const found = await ctx.services.imageCache.getOrCompute(
    key,
    async () => {
      if (!client) throw new AppError(502, `${mod.kind}_features_not_configured`, "no feature function is configured (FEATURES_URL)");
      const out = await ctx.timing.measure(mod.kind, () =>
        client.featurize({ model: enc.model, ...(enc.modelVersion !== undefined ? { version: enc.modelVersion } : {}), kind: remoteKind, bytes, outputs: enc.outputs }),
      );
      return Object.fromEntries(enc.outputs.map((o) => [o.name, out[o.name]!.data]));
    },
    ctx.waitUntil,
    accept,
  );
  const vectors: NamedVectors = Object.fromEntries(sizes.map(([name]) => [name, found.value[name]!]));
  return { rows: [vectors], keys: [key], cache: [found.tier ? "hit" : "miss"] };
}
