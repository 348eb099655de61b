/** A tiny step runner for the browser test: prints progress, counts passes and failures, keeps going. */
import { isDeepStrictEqual } from "node:util";

let passed = 0;
let failed = 0;

export function log(msg: string): void {
  console.log(`[e2e] ${msg}`);
}

export function check(what: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`[e2e] ${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
}

export function checkEqual<T>(what: string, actual: T, expected: T): void {
  const ok = isDeepStrictEqual(actual, expected);
  check(what, ok, ok ? JSON.stringify(actual) : `got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** The closing line CI reads ("N passed, N failed"); non-zero exit on any failure. */
export function summary(): number {
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
