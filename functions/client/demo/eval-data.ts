/**
 * Reads a suite's eval.json (written by scripts/eval-models.ts) into the few tables the page
 * charts. The file grows as the evaluation does (robustness, calibration, answerability), so every
 * section is optional and several layouts are accepted; what is missing is reported, not invented.
 */

export interface Metrics {
  readonly overall?: number;
  readonly relational?: number;
  readonly nonRelational?: number;
  readonly perType: Readonly<Record<string, number>>;
  readonly ece?: number;
}

export interface HeadRow {
  readonly fusion: string;
  readonly metrics: Metrics;
}

export interface RobustnessTable {
  readonly shifts: readonly string[];
  readonly rows: readonly { readonly fusion: string; readonly cells: Readonly<Record<string, Metrics>> }[];
}

export interface EvalView {
  readonly seed?: number;
  readonly machine?: string;
  readonly heads: readonly HeadRow[];
  readonly robustness?: RobustnessTable;
  readonly answerability?: Readonly<Record<string, number>>;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Accuracies as percentages: files store either 0–1 fractions or 0–100 percentages. */
function pct(v: unknown, fraction: boolean): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : fraction ? n * 100 : n;
}

function looksFractional(m: Json): boolean {
  const vals = [m.overall, m.relational, m.nonRelational, m.accuracy].map(num).filter((x): x is number => x !== undefined);
  return vals.length > 0 && vals.every((x) => x <= 1);
}

/** Metrics from an object that has them directly or under int8 (what is served) / http / fp32. */
function metricsOf(v: unknown): Metrics | undefined {
  if (!isObj(v)) return undefined;
  for (const key of ["int8", "http", "served", "fp32"]) if (isObj(v[key]) && metricsOf(v[key])) return metricsOf(v[key]);
  const frac = looksFractional(v);
  const perType: Record<string, number> = {};
  if (isObj(v.perType)) for (const [k, x] of Object.entries(v.perType)) {
    const p = pct(isObj(x) ? (x.accuracy ?? x.acc) : x, frac);
    if (p !== undefined) perType[k] = p;
  }
  const m: Metrics = {
    overall: pct(v.overall ?? v.accuracy, frac),
    relational: pct(v.relational, frac),
    nonRelational: pct(v.nonRelational ?? v.nonrelational ?? v.non_relational, frac),
    perType,
    ece: num(v.ece ?? v.ECE),
  };
  return m.overall === undefined && m.relational === undefined && m.nonRelational === undefined && Object.keys(perType).length === 0 ? undefined : m;
}

function fusionOf(v: Json): string | undefined {
  const f = v.fusion ?? v.head ?? v.id;
  return typeof f === "string" ? f : undefined;
}

/** (fusion, shift, metrics) triples from the layouts a robustness section may take. */
function robustnessTriples(data: Json): [string, string, Metrics][] {
  const out: [string, string, Metrics][] = [];
  const fromShiftMap = (fusion: string, shifts: unknown) => {
    if (isObj(shifts)) for (const [shift, m] of Object.entries(shifts)) {
      const mm = metricsOf(m);
      if (mm) out.push([fusion, shift, mm]);
    }
    if (Array.isArray(shifts)) for (const s of shifts) {
      const mm = metricsOf(s);
      const name = isObj(s) ? (s.shift ?? s.name ?? s.condition) : undefined;
      if (mm && typeof name === "string") out.push([fusion, name, mm]);
    }
  };
  const r = data.robustness;
  if (Array.isArray(r)) {
    for (const row of r) if (isObj(row)) {
      const fusion = fusionOf(row);
      const shift = row.shift ?? row.name ?? row.condition;
      const mm = metricsOf(row);
      if (fusion && typeof shift === "string" && mm) out.push([fusion, shift, mm]);
      else if (fusion) fromShiftMap(fusion, row.shifts ?? row.results ?? row.conditions);
    }
  } else if (isObj(r)) {
    const heads = r.heads ?? r.rows;
    if (Array.isArray(heads)) for (const row of heads) if (isObj(row)) {
      const fusion = fusionOf(row);
      if (fusion) fromShiftMap(fusion, row.shifts ?? row.results ?? row.conditions);
    } else for (const [fusion, shifts] of Object.entries(r)) if (fusion !== "shifts") fromShiftMap(fusion, shifts);
  }
  // suite 2.0.0's layout: shifts: { <shift>: { <fusion>: metrics } }
  if (out.length === 0 && isObj(data.shifts))
    for (const [shift, byFusion] of Object.entries(data.shifts)) if (isObj(byFusion))
      for (const [fusion, m] of Object.entries(byFusion)) {
        const mm = metricsOf(m);
        if (mm) out.push([fusion, shift, mm]);
      }
  if (out.length === 0 && Array.isArray(data.heads))
    for (const h of data.heads) if (isObj(h)) {
      const fusion = fusionOf(h);
      if (fusion) fromShiftMap(fusion, h.robustness ?? h.shifts);
    }
  return out;
}

export function readEval(raw: unknown): EvalView {
  if (!isObj(raw)) throw new Error("eval.json is not a JSON object");
  const heads: HeadRow[] = [];
  if (Array.isArray(raw.heads)) for (const h of raw.heads) if (isObj(h)) {
    const fusion = fusionOf(h);
    const metrics = metricsOf(h);
    if (fusion && metrics) heads.push({ fusion, metrics });
  }
  const triples = robustnessTriples(raw);
  // No separate ablation list: the ablation is every head on the exact renders.
  if (heads.length === 0) for (const [fusion, shift, metrics] of triples) if (shift === "exact-png") heads.push({ fusion, metrics });
  let robustness: RobustnessTable | undefined;
  if (triples.length > 0) {
    const shifts = [...new Set(triples.map((t) => t[1]))];
    const fusions = [...new Set(triples.map((t) => t[0]))];
    robustness = { shifts, rows: fusions.map((fusion) => ({ fusion, cells: Object.fromEntries(triples.filter((t) => t[0] === fusion).map((t) => [t[1], t[2]])) })) };
  }
  let answerability: Record<string, number> | undefined;
  if (isObj(raw.answerability)) {
    answerability = {};
    for (const [k, v] of Object.entries(raw.answerability)) if (num(v) !== undefined) answerability[k] = v as number;
  }
  return { seed: num(raw.seed), machine: typeof raw.machine === "string" ? raw.machine : undefined, heads, robustness, answerability };
}
