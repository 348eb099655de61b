/**
 * Parsing of POST /v1/suites/{suite}/predict, from JSON `{ inputs: { <modality>: ... }, fusion?,
 * topK?, allowDegraded?, explain? }` or multipart (one part per modality name, plus fields fusion,
 * topK, allowDegraded, explain). Each modality's value is read by its kind's module
 * (features/kinds/); unknown modality names are a 400 naming them.
 */
import { AppError } from "../errors";
import { MODALITY_KIND_MODULES, type ModalityInput } from "../features/kinds";
import { maxInputBytes } from "../features/kinds/kind";
import type { SuiteManifest } from "../../suites/manifest";

export interface PredictBody {
  readonly inputs: Map<string, ModalityInput>;
  readonly fusion?: string;
  readonly topK: number;
  readonly allowDegraded: boolean;
  readonly explain: boolean;
}

const OPTIONS = new Set(["inputs", "fusion", "topK", "allowDegraded", "explain"]);

/** The largest body a predict request to this suite may have (every modality at its limit, base64). */
export function maxPredictBodyBytes(m: SuiteManifest): number {
  return m.modalities.reduce((n, mod) => n + Math.ceil((maxInputBytes(mod) * 4) / 3) + 1024, 64 * 1024);
}

function unknownModality(m: SuiteManifest, name: string): AppError {
  return new AppError(400, "unknown_modality", `suite ${m.id} has no modality ${name}; it has ${m.modalities.map((x) => x.name).join(", ")}`, {
    modality: name,
    valid: m.modalities.map((x) => x.name),
  });
}

function topK(k: unknown, labels: number): number {
  if (k === undefined || k === null || k === "") return Math.min(3, labels);
  const n = typeof k === "string" ? Number(k) : k;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > labels) throw new AppError(400, "invalid_top_k", `topK must be an integer from 1 to ${labels} (the suite's labels)`);
  return n;
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined || v === null || v === "" || v === false || v === "false") return false;
  if (v === true || v === "true") return true;
  throw new AppError(400, "invalid_flag", `${name} must be true or false`);
}

function fusion(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new AppError(400, "unknown_fusion", "fusion must be a string");
  // Fusion names are lower-case identifiers: " Concat " means concat. Which exist is checked by head selection, per suite.
  return v.trim().toLowerCase() || undefined;
}

export function parseJsonPredict(m: SuiteManifest, body: unknown): PredictBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError(400, "invalid_body", "send a JSON object");
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).find((k) => !OPTIONS.has(k));
  if (extra) throw new AppError(400, "unknown_field", `unknown field ${extra}; send { inputs: { ${m.modalities.map((x) => x.name).join(", ")} }, fusion?, topK?, allowDegraded?, explain? }`, { field: extra });
  const raw = b.inputs;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AppError(400, "invalid_inputs", `inputs must be an object keyed by modality (${m.modalities.map((x) => x.name).join(", ")})`);
  const inputs = new Map<string, ModalityInput>();
  for (const [name, value] of Object.entries(raw)) {
    const mod = m.modalities.find((x) => x.name === name);
    if (!mod) throw unknownModality(m, name);
    if (value === null || value === undefined) continue; // an explicitly absent optional modality
    inputs.set(name, MODALITY_KIND_MODULES[mod.kind].fromJson(value, mod, `inputs.${name}`));
  }
  return { inputs, fusion: fusion(b.fusion), topK: topK(b.topK, m.task.labels.length), allowDegraded: flag(b.allowDegraded, "allowDegraded"), explain: flag(b.explain, "explain") };
}

export async function parseFormPredict(m: SuiteManifest, form: FormData): Promise<PredictBody> {
  const inputs = new Map<string, ModalityInput>();
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    if (OPTIONS.has(name) && name !== "inputs") {
      if (typeof value !== "string") throw new AppError(400, "invalid_multipart", `${name} must be a text field`);
      if (fields.has(name)) throw new AppError(400, "invalid_multipart", `send one ${name} field`, { field: name });
      fields.set(name, value);
      continue;
    }
    const mod = m.modalities.find((x) => x.name === name);
    if (!mod) throw unknownModality(m, name);
    if (inputs.has(name)) throw new AppError(400, "invalid_multipart", `send one ${name} part`, { modality: name });
    inputs.set(name, await MODALITY_KIND_MODULES[mod.kind].fromPart(value, mod, name));
  }
  return {
    inputs,
    fusion: fusion(fields.get("fusion")),
    topK: topK(fields.get("topK"), m.task.labels.length),
    allowDegraded: flag(fields.get("allowDegraded"), "allowDegraded"),
    explain: flag(fields.get("explain"), "explain"),
  };
}
