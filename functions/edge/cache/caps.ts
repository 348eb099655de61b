/**
 * The shipped byte caps of the edge's in-isolate caches, in one place: config.ts takes the first two
 * as the defaults of TEXT_CACHE_MAX_BYTES and IMAGE_CACHE_MAX_BYTES, services.ts the memo's, and the
 * benchmark report (scripts/bench/report-cold-start.ts) adds them up for the isolate's memory budget.
 * With ORT's wasm memory for two suites under load (27.8 MiB measured), 4 + 16 + 4 MiB keeps the
 * isolate under 64 MB with room for the JS heap (docs/BENCHMARKS.md). No Worker types here: Node
 * scripts import it.
 */
const MiB = 1024 * 1024;

export const DEFAULT_TEXT_CACHE_MAX_BYTES = 4 * MiB;
export const DEFAULT_IMAGE_CACHE_MAX_BYTES = 16 * MiB;
/** The head-output memo (a head's logits per cached feature keys, ~350 bytes an entry): fixed, not a variable. */
export const FUSED_MEMO_MAX_BYTES = 4 * MiB;
