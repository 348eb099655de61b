/**
 * The request mix of the load test (load.ts), shared with the KV write replay (kv-writes.ts):
 * request i is one of 40 hot (image, question) pairs (70%), a new question text about one of 60
 * warm images (20%), or a question about one of 150 images first seen during the run (10%),
 * fusion methods in rotation. Before the run, every hot and warm pair is requested once.
 */
export const MIX_DESCRIPTION = "70% both cached, 20% new question on a cached image, 10% images first seen during the run; fusion methods in rotation";
export const POOLS = { hot: 40, warm: 60, cold: 150 } as const;
export const FUSIONS = ["concat", "sum", "product", "bilinear", "attention"] as const;

export interface MixRequest {
  readonly pool: "hot" | "warm" | "cold";
  /** Index into that pool's images. */
  readonly image: number;
  /** Which of the scene's questions (0-5), and trailing spaces that make a new text (0: none). */
  readonly question: number;
  readonly padding: number;
  readonly fusion: (typeof FUSIONS)[number];
}

export function mixRequest(i: number): MixRequest {
  const r = i % 20;
  const fusion = FUSIONS[i % 5]!;
  if (r < 14) return { pool: "hot", image: i % POOLS.hot, question: 0, padding: 0, fusion };
  if (r < 18) return { pool: "warm", image: i % POOLS.warm, question: i % 6, padding: 1 + (i % 97), fusion };
  return { pool: "cold", image: i % POOLS.cold, question: i % 6, padding: 0, fusion };
}

/** The requests sent once before the run: each hot and warm image with its first question. */
export function primingRequests(): MixRequest[] {
  const out: MixRequest[] = [];
  for (let i = 0; i < POOLS.hot; i++) out.push({ pool: "hot", image: i, question: 0, padding: 0, fusion: FUSIONS[i % 5]! });
  for (let i = 0; i < POOLS.warm; i++) out.push({ pool: "warm", image: i, question: 0, padding: 0, fusion: FUSIONS[(POOLS.hot + i) % 5]! });
  return out;
}
