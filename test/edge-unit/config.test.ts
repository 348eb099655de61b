// The edge's configuration fails closed: every variable has documented spellings, and anything
// else is an invalid configuration that names the variable, never a silent default.
import { describe, expect, it } from "vitest";
import { ortStartupOf, parseConfig } from "../../functions/edge/config";
import toml from "../../wrangler.toml?raw";

const limiter = { limit: async () => ({ success: true }) };
const KEY = "k".repeat(20);

function problemsOf(env: Record<string, unknown>): string[] {
  const r = parseConfig({ RATE_LIMITER: limiter, ...env });
  return r.ok ? [] : r.problems.map((p) => p.variable);
}
function configOf(env: Record<string, unknown>) {
  const r = parseConfig({ RATE_LIMITER: limiter, ...env });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe("AUTH_MODE", () => {
  it("defaults to required when unset or empty (a new wrangler environment is closed)", () => {
    expect(configOf({}).authMode).toBe("required");
    expect(configOf({ AUTH_MODE: "" }).authMode).toBe("required");
  });
  it.each(["required", "Required", " required ", "REQUIRED\n"])("%j means required", (v) => {
    expect(configOf({ AUTH_MODE: v }).authMode).toBe("required");
  });
  it.each(["off", "Off", " off"])("%j means off", (v) => {
    expect(configOf({ AUTH_MODE: v }).authMode).toBe("off");
  });
  it.each(["require", "none", "false", "0", "disabled", "on", "yes"])("%j is invalid, not open", (v) => {
    expect(problemsOf({ AUTH_MODE: v })).toEqual(["AUTH_MODE"]);
  });
});

describe("booleans", () => {
  it.each([
    ["1", true], ["true", true], ["TRUE", true], ["on", true], [true, true],
    ["0", false], ["false", false], ["off", false], [false, false], ["", false],
  ] as const)("IMAGE_URL_ALLOW_PRIVATE=%j is %s", (v, expected) => {
    expect(configOf({ IMAGE_URL_ALLOW_PRIVATE: v }).imageUrlAllowPrivate).toBe(expected);
  });
  it.each(["yes", "no", "2", "enabled", "t"])("%j is invalid", (v) => {
    expect(problemsOf({ BENCH_ROUTES: v })).toEqual(["BENCH_ROUTES"]);
    expect(problemsOf({ IMAGE_URL_ALLOW_PRIVATE: v })).toEqual(["IMAGE_URL_ALLOW_PRIVATE"]);
  });
  it("bench routes and private image URLs are off by default", () => {
    const c = configOf({});
    expect(c.benchRoutes).toBe(false);
    expect(c.imageUrlAllowPrivate).toBe(false);
  });
});

describe("numbers, URLs, lists", () => {
  it.each(["abc", "-1", "1.5", "0x10", "1e3", "0"])("IMAGE_FEATURES_MAX_ATTEMPTS=%j is invalid", (v) => {
    expect(problemsOf({ IMAGE_FEATURES_MAX_ATTEMPTS: v })).toEqual(["IMAGE_FEATURES_MAX_ATTEMPTS"]);
  });
  it("reads integers and keeps defaults for unset ones", () => {
    const c = configOf({ IMAGE_CACHE_MAX_ENTRIES: "42" });
    expect(c.imageCacheMaxEntries).toBe(42);
    expect(c.textCacheMaxEntries).toBe(10_000);
  });
  it("a deadline shorter than one attempt is invalid", () => {
    expect(problemsOf({ IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS: "3000", IMAGE_FEATURES_DEADLINE_MS: "1000" })).toEqual(["IMAGE_FEATURES_DEADLINE_MS"]);
  });
  it.each(["ftp://x.example", "not a url", "https://user:pw@x.example", "https://x.example/?a=1"])("IMAGE_FEATURES_URL=%j is invalid", (v) => {
    expect(problemsOf({ IMAGE_FEATURES_URL: v })).toEqual(["IMAGE_FEATURES_URL"]);
  });
  it("FEATURES_URL is a neutral alias of IMAGE_FEATURES_URL; both set and different is invalid", () => {
    expect(configOf({ FEATURES_URL: "https://f.example/" }).featuresUrl).toBe("https://f.example");
    expect(configOf({ IMAGE_FEATURES_URL: "https://f.example" }).featuresUrl).toBe("https://f.example");
    expect(problemsOf({ FEATURES_URL: "https://a.example", IMAGE_FEATURES_URL: "https://b.example" })).toEqual(["FEATURES_URL"]);
  });
  it("a short feature-function token is invalid (its value is never in the message)", () => {
    const r = parseConfig({ RATE_LIMITER: limiter, IMAGE_FEATURES_TOKEN: "short-secret" });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("short-secret");
  });
  it("API keys: comma-separated, each at least 16 token characters; short ones are invalid and not echoed", () => {
    expect(configOf({ API_KEYS: ` ${KEY}, ${KEY}2 ,` }).apiKeys).toEqual([KEY, `${KEY}2`]);
    const r = parseConfig({ RATE_LIMITER: limiter, API_KEYS: `${KEY},tiny-key` });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("tiny-key");
  });
  it("CORS_ORIGINS: * or origins; unset means none; a path or a bare host is invalid", () => {
    expect(configOf({ CORS_ORIGINS: "*" }).corsOrigins).toBe("*");
    expect(configOf({}).corsOrigins).toEqual([]);
    expect(configOf({ CORS_ORIGINS: "https://a.example, http://localhost:5173" }).corsOrigins).toEqual(["https://a.example", "http://localhost:5173"]);
    expect(problemsOf({ CORS_ORIGINS: "https://a.example/" })).toEqual(["CORS_ORIGINS"]);
    expect(problemsOf({ CORS_ORIGINS: "a.example" })).toEqual(["CORS_ORIGINS"]);
  });
  it("model names and text model sources have one spelling each", () => {
    expect(problemsOf({ TEXT_MODEL_SOURCE: "s3:foo" })).toEqual(["TEXT_MODEL_SOURCE"]);
    expect(configOf({ TEXT_MODEL_SOURCE: "r2:Xenova/all-MiniLM-L6-v2" }).textModelSource).toBe("r2:Xenova/all-MiniLM-L6-v2");
  });
  it("a retired variable is an error, not silently ignored", () => {
    expect(problemsOf({ IMAGE_FEATURES_MODEL: "soc-image" })).toEqual(["IMAGE_FEATURES_MODEL"]);
  });
  it("several bad variables are all named", () => {
    expect(problemsOf({ AUTH_MODE: "maybe", BENCH_ROUTES: "yes", IMAGE_CACHE_MAX_BYTES: "lots" }).sort()).toEqual(["AUTH_MODE", "BENCH_ROUTES", "IMAGE_CACHE_MAX_BYTES"]);
  });
});

describe("rate limiting", () => {
  it("per-key by default, and then a RATE_LIMITER binding is required when auth is required", () => {
    expect(configOf({}).rateLimit).toBe("per-key");
    const r = parseConfig({ AUTH_MODE: "required" });
    expect(r.ok ? [] : r.problems.map((p) => p.variable)).toEqual(["RATE_LIMIT"]);
    expect(parseConfig({ AUTH_MODE: "required", RATE_LIMIT: "off" }).ok).toBe(true);
    expect(parseConfig({ AUTH_MODE: "off" }).ok).toBe(true); // local dev without the binding
  });
  it("Retry-After follows the binding period, 10 or 60 s only", () => {
    expect(configOf({ RATE_LIMIT_PERIOD_SECONDS: "10" }).rateLimitPeriodSeconds).toBe(10);
    expect(problemsOf({ RATE_LIMIT_PERIOD_SECONDS: "30" })).toEqual(["RATE_LIMIT_PERIOD_SECONDS"]);
  });
  it("ORT_STARTUP is eager unless lazy is asked for", () => {
    expect(configOf({}).ortStartup).toBe("eager");
    expect(configOf({ ORT_STARTUP: "Lazy" }).ortStartup).toBe("lazy");
    expect(configOf({ ORT_STARTUP: "runtime" }).ortStartup).toBe("runtime");
    expect(problemsOf({ ORT_STARTUP: "later" })).toEqual(["ORT_STARTUP"]);
  });
  it("start-up reads ORT_STARTUP alone: other settings' problems do not change it, an invalid value starts nothing", () => {
    expect(ortStartupOf({})).toBe("eager");
    expect(ortStartupOf({ ORT_STARTUP: " LAZY " })).toBe("lazy");
    expect(ortStartupOf({ AUTH_MODE: "maybe", ORT_STARTUP: "eager" })).toBe("eager");
    expect(ortStartupOf({ ORT_STARTUP: "later" })).toBeNull();
  });
  it("HEAD_WARMUP is suite unless off is asked for", () => {
    expect(configOf({}).headWarmup).toBe("suite");
    expect(configOf({ HEAD_WARMUP: "Off" }).headWarmup).toBe("off");
    expect(problemsOf({ HEAD_WARMUP: "all" })).toEqual(["HEAD_WARMUP"]);
  });
  it("KV write policy has three spellings", () => {
    expect(configOf({}).kvWrites).toBe("on-reuse");
    expect(configOf({ FEATURE_KV_WRITES: "Always" }).kvWrites).toBe("always");
    expect(problemsOf({ FEATURE_KV_WRITES: "sometimes" })).toEqual(["FEATURE_KV_WRITES"]);
  });
});

describe("wrangler.toml", () => {
  it("every environment's vars parse, and deployed ones require auth", () => {
    const sections = toml.split(/^\[env\.(\w+)\.vars\]$/m);
    const parseVars = (block: string) => Object.fromEntries([...block.split(/^\[/m)[0]!.matchAll(/^([A-Z_]+) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!]));
    const top = parseVars(toml.slice(toml.indexOf("[vars]") + 6));
    expect(configOf(top).authMode).toBe("off");
    const envs = new Map<string, Record<string, string>>();
    for (let i = 1; i < sections.length; i += 2) envs.set(sections[i]!, parseVars(sections[i + 1]!));
    expect([...envs.keys()].sort()).toEqual(["production", "staging"]);
    for (const [name, vars] of envs) {
      const c = configOf({ ...vars, API_KEYS: KEY });
      expect(c.authMode, name).toBe("required");
      expect(c.corsOrigins, name).not.toBe("*");
      expect(c.benchRoutes, name).toBe(false);
      expect(toml, name).toContain(`[[env.${name}.ratelimits]]`);
      // vars do not inherit into environments (docs/deploy.md): each repeats every top-level one
      expect(Object.keys(vars).sort(), name).toEqual(expect.arrayContaining(Object.keys(top)));
    }
  });
});
