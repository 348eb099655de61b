/**
 * `npm run test:hostile`: hundreds of generated hostile requests against the running stack (the
 * edge Worker under `wrangler dev` with API keys required, and the image-feature function with a
 * token), images and audio. Every client fault must get a 4xx with a stable `code`, never a 5xx, and both services
 * must still answer afterwards. Exits 1 on any violation.
 */
import { startEdge, startProcess, freePort } from "../../scripts/bench/lib";
import { audioCases } from "./cases-audio";
import { edgeCases, type HostileCase } from "./cases-edge";
import { imageCases } from "./cases-image";

const EDGE_KEY = "hostile-suite-key";
const IMAGE_TOKEN = "hostile-suite-image-token-0123456789";

async function main() {
  const cases = [...edgeCases(), ...imageCases(), ...audioCases()];
  console.log(`hostile suite: ${cases.length} cases (${cases.filter((c) => c.target === "edge").length} edge, ${cases.filter((c) => c.target === "image").length} image-feature function)`);
  const port = await freePort();
  const imageUrl = `http://127.0.0.1:${port}`;
  const image = await startProcess(process.execPath, ["--import", "tsx", "functions/image-features/main.ts", "--host", "127.0.0.1", "--port", String(port)], imageUrl, /ready on/, { IMAGE_FEATURES_TOKEN: IMAGE_TOKEN });
  const edge = await startEdge({ IMAGE_FEATURES_URL: imageUrl, IMAGE_FEATURES_TOKEN: IMAGE_TOKEN, AUTH_MODE: "required", API_KEYS: EDGE_KEY, IMAGE_URL_ALLOW_PRIVATE: "0" }).catch(async (e) => {
    await image.stop();
    throw e;
  });
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const codes = new Set<string>();
  try {
    // One valid request per route first, with a generous timeout: the suite judges hostile input, not
    // the cold start (loading the encoders can take long on a busy machine).
    for (const [path, body] of [["/v1/features/text", { texts: ["warm up"] }], ["/v1/answer", { question: "what shape is the red object?", image: { base64: (await import("./cases-edge")).PNG.toString("base64") } }]] as const) {
      const res = await fetch(`${edge.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${EDGE_KEY}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(300_000) });
      console.log(`warm-up ${path}: ${res.status}`);
      await res.arrayBuffer();
    }
    for (const [i, c] of cases.entries()) {
      const verdict = await runCase(c, c.target === "edge" ? edge.url : imageUrl);
      statuses.set(verdict.status, (statuses.get(verdict.status) ?? 0) + 1);
      if (verdict.code) codes.add(`${c.target}:${verdict.code}`);
      if (verdict.problem) failures.push(`${c.target} ${c.name}: ${verdict.problem}`);
      if ((i + 1) % 100 === 0) console.log(`  ${i + 1}/${cases.length} cases, ${failures.length} failures`);
    }
    // Both services still answer, and still answer correctly.
    for (const [name, url, init] of [
      ["edge health", `${edge.url}/healthz`, {}],
      ["image ready", `${imageUrl}/v2/health/ready`, {}],
      ["edge answer", `${edge.url}/v1/answer`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${EDGE_KEY}` }, body: JSON.stringify({ question: "what shape is the red object?", image: { base64: (await import("./cases-edge")).PNG.toString("base64") } }) }],
    ] as [string, string, RequestInit][]) {
      const res = await fetch(url, init);
      if (res.status !== 200) failures.push(`after the suite, ${name} answered ${res.status}`);
    }
    if (edge.process.exitCode !== null || image.process.exitCode !== null) failures.push("a service exited during the suite");
  } finally {
    await edge.stop();
    await image.stop();
  }
  console.log(`statuses: ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(", ")}`);
  console.log(`distinct error codes: ${[...codes].sort().join(", ")}`);
  const fiveXX = [...statuses.entries()].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0);
  console.log(`${cases.length} cases, ${fiveXX} 5xx, ${failures.length} failures`);
  for (const f of failures) console.log(`  FAIL ${f}`);
  process.exit(failures.length ? 1 : 0);
}

async function runCase(c: HostileCase, base: string): Promise<{ status: number; code?: string; problem?: string }> {
  const headers = { ...c.headers };
  if (c.auth !== false) headers.authorization = c.target === "edge" ? `Bearer ${EDGE_KEY}` : `Bearer ${IMAGE_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(base + c.path, { method: c.method, headers, body: c.method === "GET" || c.method === "HEAD" ? undefined : typeof c.body === "string" ? c.body : c.body ? new Uint8Array(c.body) : undefined, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    if (c.mayReset) return { status: 413 }; // refused before the upload finished: still a refusal, not a crash
    return { status: 0, problem: `no response (${(err as Error).message})` };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: string } | string; code?: string };
    code = typeof body.error === "object" ? body.error?.code : body.code;
  } catch {
    /* not JSON */
  }
  if (res.status >= 500) return { status: res.status, code, problem: `${res.status} ${text.slice(0, 160)}` };
  if (res.status >= 400 && code && c.codes && !c.codes.includes(code)) return { status: res.status, code, problem: `${res.status} ${code}, expected ${c.codes.join(" or ")}` };
  if (res.status >= 400) return code ? { status: res.status, code } : { status: res.status, problem: `${res.status} without a stable code: ${text.slice(0, 120)}` };
  if (c.expect === "ok-or-4xx") return { status: res.status };
  return { status: res.status, problem: `expected a 4xx, got ${res.status}` };
}

await main();
