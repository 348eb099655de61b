// API keys and CORS, driving the app with an env that differs from the test default.
import { env } from "cloudflare:workers";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../functions/edge/index";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
const withAuth = (extra: Partial<Env>) => ({ ...env, AUTH_MODE: "required", API_KEYS: "key-one, key-two", ...extra }) as Env;

describe("API keys", () => {
  it("are not needed when AUTH_MODE is off (local dev)", async () => {
    expect((await SELF.fetch("http://edge/v1/models")).status).toBe(200);
  });
  it("are required on /v1/* when AUTH_MODE is required", async () => {
    const none = await app.request("/v1/models", {}, withAuth({}), ctx);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await app.request("/v1/models", { headers: { authorization: "Bearer key-three" } }, withAuth({}), ctx);
    expect(wrong.status).toBe(401);
    const right = await app.request("/v1/models", { headers: { authorization: "Bearer key-two" } }, withAuth({}), ctx);
    expect(right.status).toBe(200);
  });
  it("health stays open, and a missing key list is a clear 503", async () => {
    expect((await app.request("/healthz", {}, withAuth({}), ctx)).status).toBe(200);
    const res = await app.request("/v1/models", { headers: { authorization: "Bearer x" } }, withAuth({ API_KEYS: "" }), ctx);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth_not_configured");
  });
});

describe("CORS", () => {
  it("answers preflights for allowed origins only", async () => {
    const allowList = { ...env, CORS_ORIGINS: "https://app.example" } as Env;
    const pre = (origin: string) =>
      app.request("/v1/answer", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } }, allowList, ctx);
    expect((await pre("https://app.example")).headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await pre("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });
  it("exposes Server-Timing to browsers", async () => {
    const res = await SELF.fetch("http://edge/v1/models", { headers: { origin: "http://localhost:5173" } });
    expect(res.headers.get("access-control-expose-headers")).toMatch(/server-timing/i);
  });
});
