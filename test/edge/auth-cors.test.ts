// Fail-closed configuration, API keys, rate limits and CORS, driving the real app inside workerd
// with an env that differs from the test default (wrangler.toml's local-dev top level).
import { env } from "cloudflare:workers";
import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import app from "../../functions/edge/index";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
const KEY_ONE = "key-one-0123456789abcdef";
const KEY_TWO = "key-two-0123456789abcdef";
const withEnv = (extra: Record<string, unknown>) => ({ ...env, ...extra }) as Env;
const withAuth = (extra: Record<string, unknown> = {}) => withEnv({ AUTH_MODE: "required", API_KEYS: `${KEY_ONE}, ${KEY_TWO}`, ...extra });
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

afterEach(() => vi.restoreAllMocks());

describe("configuration fails closed", () => {
  it.each([
    ["AUTH_MODE", "Reqired"],
    ["AUTH_MODE", "no"],
    ["BENCH_ROUTES", "yes"],
    ["IMAGE_URL_ALLOW_PRIVATE", "enabled"],
    ["IMAGE_FEATURES_MAX_ATTEMPTS", "three"],
    ["CORS_ORIGINS", "app.example"],
    ["FEATURE_KV_WRITES", "sometimes"],
  ])("%s=%j: every /v1 route answers 503 misconfigured and the log names the variable", async (variable, value) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const bad = withEnv({ [variable]: value });
    for (const [path, init] of [
      ["/v1/models", {}],
      ["/v1/features/text", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ texts: ["hi"] }) }],
      ["/v1/answer", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
    ] as const) {
      const res = await app.request(path, init, bad, ctx);
      expect(res.status, path).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("misconfigured");
      expect(body.error.message).not.toContain(value); // callers learn nothing about the settings
    }
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(lines.some((l) => l.includes('"misconfigured"') && l.includes(variable))).toBe(true);
    expect(lines.length).toBe(1); // once per configuration, not per request
  });
  it("/healthz says so too, with 503", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await app.request("/healthz", {}, withEnv({ AUTH_MODE: "sometimes" }), ctx);
    expect(res.status).toBe(503);
    expect(await codeOf(res)).toBe("misconfigured");
  });
  it("bench routes stay off unless BENCH_ROUTES is on", async () => {
    const res = await app.request("/_bench/text-encode", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, env as Env, ctx);
    expect(res.status).toBe(404);
    expect((await app.request("/_bench/memory", {}, env as Env, ctx)).status).toBe(404);
  });
  it("/_bench/memory reports the wasm memory, the caches at their caps and the KV writes", async () => {
    const res = await app.request("/_bench/memory", {}, withEnv({ BENCH_ROUTES: "1" }), ctx);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { wasmMemoryBytes: number; caches: Record<string, { entries: number; maxBytes: number }>; kv: { policy: string; writes: number } };
    expect(Object.keys(body.caches).sort()).toEqual(["fused", "image", "text"]);
    expect(body.caches.image!.maxBytes).toBe(16 * 1024 * 1024);
    expect(body.kv.policy).toBe("on-reuse");
    expect(body.wasmMemoryBytes).toBeGreaterThanOrEqual(0);
  });
});

describe("API keys", () => {
  it("are not needed when AUTH_MODE is off (local dev, set explicitly in wrangler.toml)", async () => {
    expect((await SELF.fetch("http://edge/v1/models")).status).toBe(200);
  });
  it("an environment without AUTH_MODE requires keys", async () => {
    const { AUTH_MODE: _drop, ...rest } = env as unknown as Record<string, unknown>;
    const closed = { ...rest, API_KEYS: KEY_ONE } as unknown as Env;
    expect((await app.request("/v1/models", {}, closed, ctx)).status).toBe(401);
    expect((await app.request("/v1/models", bearer(KEY_ONE), closed, ctx)).status).toBe(200);
  });
  it.each(["required", "Required", " required ", "REQUIRED"])("AUTH_MODE=%j never serves /v1/models without a key", async (mode) => {
    const none = await app.request("/v1/models", {}, withAuth({ AUTH_MODE: mode }), ctx);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await codeOf(none)).toBe("unauthorized");
    const wrong = await app.request("/v1/models", bearer("key-three-0123456789abcdef"), withAuth({ AUTH_MODE: mode }), ctx);
    expect(wrong.status).toBe(401);
    const right = await app.request("/v1/models", bearer(KEY_TWO), withAuth({ AUTH_MODE: mode }), ctx);
    expect(right.status).toBe(200);
  });
  it("rejects malformed Authorization headers", async () => {
    for (const header of ["Basic " + KEY_ONE, `Bearer ${KEY_ONE} extra`, `Bearer`, KEY_ONE, `Bearer ${KEY_ONE},${KEY_TWO}`, `Bearer "${KEY_ONE}"`]) {
      const res = await app.request("/v1/models", { headers: { authorization: header } }, withAuth(), ctx);
      expect(res.status, header).toBe(401);
    }
  });
  it("health stays open, and a missing key list is a clear 503", async () => {
    expect((await app.request("/healthz", {}, withAuth(), ctx)).status).toBe(200);
    const res = await app.request("/v1/models", bearer("x".repeat(20)), withAuth({ API_KEYS: "" }), ctx);
    expect(res.status).toBe(503);
    expect(await codeOf(res)).toBe("auth_not_configured");
  });
});

describe("rate limiting (Workers rate-limiting binding)", () => {
  it("limits each API key separately and answers 429 with Retry-After", async () => {
    const tight = withAuth({ RATE_LIMITER: (env as unknown as Record<string, unknown>).TEST_TIGHT_RATE_LIMITER });
    const statuses: number[] = [];
    let limited: Response | null = null;
    // The binding counts in fixed 60 s windows: a window may end during the loop, so allow one reset.
    for (let i = 0; i < 8 && !limited; i++) {
      const res = await app.request("/v1/models", bearer(KEY_ONE), tight, ctx);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]); // the binding's limit is 3 per 60 s
    expect(limited).not.toBeNull();
    expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(6);
    expect(limited!.headers.get("retry-after")).toBe("60");
    expect(await codeOf(limited!)).toBe("rate_limited");
    // Another key has its own budget.
    expect((await app.request("/v1/models", bearer(KEY_TWO), tight, ctx)).status).toBe(200);
    // An unauthenticated caller is refused before it can use anyone's budget.
    expect((await app.request("/v1/models", {}, tight, ctx)).status).toBe(401);
  });
  it("RATE_LIMIT=per-key with auth required but no binding is misconfigured, not unlimited", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await app.request("/v1/models", bearer(KEY_ONE), withAuth({ RATE_LIMITER: undefined }), ctx);
    expect(res.status).toBe(503);
    expect(await codeOf(res)).toBe("misconfigured");
    expect((await app.request("/v1/models", bearer(KEY_ONE), withAuth({ RATE_LIMITER: undefined, RATE_LIMIT: "off" }), ctx)).status).toBe(200);
  });
});

describe("CORS", () => {
  it("answers preflights for allowed origins only", async () => {
    const allowList = withEnv({ CORS_ORIGINS: "https://app.example" });
    const pre = (origin: string) =>
      app.request("/v1/answer", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } }, allowList, ctx);
    expect((await pre("https://app.example")).headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await pre("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });
  it("allows no origin when CORS_ORIGINS is unset", async () => {
    const res = await app.request("/v1/models", { headers: { origin: "https://app.example" } }, withEnv({ CORS_ORIGINS: undefined }), ctx);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
  it("exposes Server-Timing to browsers", async () => {
    const res = await SELF.fetch("http://edge/v1/models", { headers: { origin: "http://localhost:5173" } });
    expect(res.headers.get("access-control-expose-headers")).toMatch(/server-timing/i);
  });
});
