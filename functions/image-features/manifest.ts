/**
 * Reads the `image` section of models/manifest.json (docs/contracts.md) and checks the ONNX file
 * against its sha256, so the server never serves a model other than the one the manifest names.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ImageModelSpec {
  id: string;
  version: string;
  /** Absolute path of the ONNX file. */
  file: string;
  sha256: string | undefined;
  input: TensorSpec & { channels: number; height: number; width: number };
  outputs: TensorSpec[];
}

export class ManifestError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "") throw new ManifestError(`${where}.${key} must be a non-empty string`);
  return v;
}

function tensor(v: unknown, where: string): TensorSpec {
  if (!isRecord(v)) throw new ManifestError(`${where} must be an object`);
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new ManifestError(`${where}.shape must be an array of integers (-1 = dynamic)`);
  }
  const datatype = str(v, "datatype", where);
  if (datatype !== "FP32") throw new ManifestError(`${where}.datatype must be FP32, got ${datatype}`);
  return { name: str(v, "name", where), datatype, shape: shape as number[] };
}

/** A model-repository config.json (models/repository/<name>/config.json) seen as a v1 image section. */
function repositoryConfigAsImage(config: Record<string, unknown>, versions: Record<string, unknown>): Record<string, unknown> {
  const v = typeof config.version === "number" ? config.version : Math.max(...Object.keys(versions).map(Number));
  const entry = versions[String(v)];
  if (!isRecord(entry)) throw new ManifestError(`version ${v} is not listed in versions`);
  return { ...config, id: config.name, version: entry.humanVersion, sha256: entry.sha256, file: `${v}/model.onnx` };
}

export async function loadImageModelSpec(manifestPath: string): Promise<ImageModelSpec> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(manifestPath, "utf8"));
  } catch (err) {
    throw new ManifestError(`cannot read manifest ${manifestPath}: ${(err as Error).message}`);
  }
  const image = isRecord(parsed) && isRecord(parsed.image) ? parsed.image : isRecord(parsed) && isRecord(parsed.versions) ? repositoryConfigAsImage(parsed, parsed.versions) : null;
  if (!image) throw new ManifestError(`${manifestPath} has no "image" section`);
  const input = tensor(image.input, "image.input");
  const [batch, channels, height, width] = input.shape;
  if (input.shape.length !== 4 || batch !== -1 || channels !== 3 || !height || !width || height < 1 || width < 1) {
    throw new ManifestError(`image.input.shape must be [-1, 3, H, W] (NCHW RGB), got ${JSON.stringify(input.shape)}`);
  }
  if (!Array.isArray(image.outputs) || image.outputs.length === 0) throw new ManifestError("image.outputs must be a non-empty array");
  const outputs = image.outputs.map((o, i) => tensor(o, `image.outputs[${i}]`));
  for (const o of outputs) {
    if (o.shape[0] !== -1 || o.shape.slice(1).some((d) => d < 1)) {
      throw new ManifestError(`output ${o.name} must have a dynamic batch dimension and fixed others, got ${JSON.stringify(o.shape)}`);
    }
  }
  const sha = typeof image.sha256 === "string" && /^[0-9a-f]{64}$/.test(image.sha256) ? image.sha256 : undefined;
  return {
    id: str(image, "id", "image"),
    version: str(image, "version", "image"),
    file: resolve(dirname(manifestPath), str(image, "file", "image")),
    sha256: sha,
    input: { ...input, channels, height, width },
    outputs,
  };
}

/** Read the model bytes, verifying the manifest's sha256 when it has a real one. */
export async function readModelBytes(spec: ImageModelSpec): Promise<Uint8Array> {
  const bytes = await readFile(spec.file);
  if (spec.sha256) {
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== spec.sha256) throw new ManifestError(`${spec.file}: sha256 ${actual} does not match manifest ${spec.sha256}`);
  }
  return bytes;
}
