/**
 * Which head answers a request: the one place this is decided (docs/suites.md#head-selection).
 *
 * Normal requests, fusion F = the requested fusion or the suite's defaultFusion:
 *   1. every required modality of the suite must be provided, else 400 `missing_modality`;
 *   2. among heads with fusion F, a head whose `modalities` equal the provided set (exact);
 *   3. else a head with fusion F and `absent: "zeros"` whose modalities include every provided one
 *      (the missing ones are optional and fed as zeros), preferring the fewest missing;
 *   4. else, if some head of fusion F consumes a subset of what was sent, the largest such subset
 *      (extra optional inputs are ignored and left out of `modalitiesUsed`);
 *   5. else 400 `no_head_for_modalities` naming the fusions that would work.
 * Degraded requests (a remote modality failed and the request allows degraded answers) run the same
 * rules over what is left, allowing required modalities to be missing, then fall back to:
 *   6. any head whose `modalities` equal what is left (e.g. Sort-of-CLEVR's "text-only" head);
 *   7. the fusion-F head for the full set, with the failed modalities fed as zeros (the "blank
 *      image" answer of old), so a degraded answer exists whenever a head of F does.
 * Pure: unit-tested in Node.
 */
import { AppError } from "../errors";
import type { Head, SuiteManifest } from "../../suites/manifest";

export interface HeadChoice {
  readonly head: Head;
  readonly fusion: string;
  /** Modalities whose features the head receives (provided and consumed). */
  readonly used: readonly string[];
  /** Modalities of the head fed as zeros (absent optional ones, or failed ones when degraded). */
  readonly zeroed: readonly string[];
}

export interface HeadRequest {
  /** Requested fusion; undefined means the suite's default. */
  readonly fusion?: string;
  /** Modalities the request carries (for degraded requests: those still available). */
  readonly provided: ReadonlySet<string>;
  /** Modalities that failed upstream; set only on the degraded path. */
  readonly failed?: ReadonlySet<string>;
}

function fusionOf(m: SuiteManifest, requested: string | undefined): string {
  if (requested === undefined) return m.defaultFusion;
  const fusions = [...new Set(m.heads.map((h) => h.fusion))];
  if (!fusions.includes(requested)) throw new AppError(400, "unknown_fusion", `suite ${m.id} has no fusion ${requested}; it has ${fusions.join(", ")}`, { valid: fusions });
  return requested;
}

const choice = (head: Head, provided: ReadonlySet<string>): HeadChoice => ({
  head,
  fusion: head.fusion,
  used: head.modalities.filter((x) => provided.has(x)),
  zeroed: head.modalities.filter((x) => !provided.has(x)),
});

function optionalMissing(m: SuiteManifest, head: Head, provided: ReadonlySet<string>, allowRequired: boolean): boolean {
  const missing = head.modalities.filter((x) => !provided.has(x));
  return missing.every((name) => allowRequired || m.modalities.find((mod) => mod.name === name)?.required === false);
}

function pick(m: SuiteManifest, fusion: string, provided: ReadonlySet<string>, degraded: boolean): HeadChoice | null {
  const heads = m.heads.filter((h) => h.fusion === fusion);
  const sameSet = (h: Head) => h.modalities.length === provided.size && h.modalities.every((x) => provided.has(x));
  const exact = heads.find(sameSet);
  if (exact) return choice(exact, provided);
  const covering = heads
    .filter((h) => h.absent === "zeros" && [...provided].every((x) => h.modalities.includes(x)) && optionalMissing(m, h, provided, degraded))
    .sort((a, b) => a.modalities.length - b.modalities.length);
  if (covering[0]) return choice(covering[0], provided);
  const subsets = heads.filter((h) => h.modalities.every((x) => provided.has(x))).sort((a, b) => b.modalities.length - a.modalities.length);
  if (subsets[0]) return choice(subsets[0], provided);
  return null;
}

export function selectHead(m: SuiteManifest, req: HeadRequest): HeadChoice {
  const fusion = fusionOf(m, req.fusion);
  const degraded = (req.failed?.size ?? 0) > 0;
  if (!degraded) {
    const missing = m.modalities.filter((mod) => mod.required && !req.provided.has(mod.name));
    if (missing[0]) {
      throw new AppError(400, "missing_modality", `suite ${m.id} needs inputs.${missing[0].name} (${missing[0].kind})`, { modality: missing[0].name, missing: missing.map((x) => x.name) });
    }
  }
  const found = pick(m, fusion, req.provided, degraded);
  if (found) return found;
  if (degraded) {
    const sameSet = m.heads.find((h) => h.modalities.length === req.provided.size && h.modalities.every((x) => req.provided.has(x)));
    if (sameSet) return choice(sameSet, req.provided);
    const all = new Set([...req.provided, ...(req.failed ?? [])]);
    const full = pick(m, fusion, all, false);
    if (full) return { ...full, used: full.head.modalities.filter((x) => req.provided.has(x)), zeroed: full.head.modalities.filter((x) => !req.provided.has(x)) };
  }
  const workable = [...new Set(m.heads.map((h) => h.fusion))].filter((f) => pick(m, f, req.provided, degraded) !== null);
  throw new AppError(400, "no_head_for_modalities", `suite ${m.id} has no ${fusion} head for the modalities ${[...req.provided].join(", ") || "(none)"}`, {
    fusion,
    provided: [...req.provided],
    fusionsThatFit: workable,
  });
}
