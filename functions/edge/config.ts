/**
 * The Worker's configuration ([vars] and secrets), parsed and validated once, with zod, in this one
 * module. Nothing else reads `env.X` for a setting. It fails closed: an invalid or unknown value makes
 * the whole configuration invalid, `/v1/*` answers `503 misconfigured` (middleware/config-guard.ts)
 * and one log line names the variables; a typo never turns a protection off.
 *
 * Spelling rules (docs/security.md#configuration):
 * - enumerations (AUTH_MODE, booleans, FEATURE_KV_WRITES, ...) are trimmed and matched case-insensitively,
 *   so `Required ` means `required`; anything else is an error, never a default;
 * - booleans accept exactly `1`, `true`, `on` / `0`, `false`, `off`;
 * - numbers are decimal integers within a documented range;
 * - an unset variable takes the default in the table below, and every default is the safe one:
 *   AUTH_MODE defaults to `required` (so a new wrangler environment, which inherits no [vars], is
 *   closed), CORS_ORIGINS to no origin, BENCH_ROUTES and IMAGE_URL_ALLOW_PRIVATE to off.
 */
import { z } from "zod";
import { DEFAULT_IMAGE_CACHE_MAX_BYTES, DEFAULT_TEXT_CACHE_MAX_BYTES } from "./cache/caps";
import { AppError } from "./errors";

/** wrangler passes [vars] as strings, but a TOML boolean or number arrives as such: read them as text. */
const text = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v).trim());
const optionalText = text.optional();

function choice<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return optionalText.transform((v, ctx): T[number] => {
    if (v === undefined || v === "") return fallback;
    const lower = v.toLowerCase();
    const hit = values.find((x) => x === lower);
    if (hit === undefined) {
      ctx.addIssue({ code: "custom", message: `must be one of ${values.join(", ")}; got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return hit;
  });
}

const TRUE = ["1", "true", "on"];
const FALSE = ["0", "false", "off"];
function flag(fallback: boolean) {
  return optionalText.transform((v, ctx): boolean => {
    if (v === undefined || v === "") return fallback;
    const lower = v.toLowerCase();
    if (TRUE.includes(lower)) return true;
    if (FALSE.includes(lower)) return false;
    ctx.addIssue({ code: "custom", message: `must be one of ${[...TRUE, ...FALSE].join(", ")}; got ${JSON.stringify(v)}` });
    return z.NEVER;
  });
}

function integer(fallback: number, min: number, max: number) {
  return optionalText.transform((v, ctx): number => {
    if (v === undefined || v === "") return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `must be an integer from ${min} to ${max}; got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });
}

const httpUrl = optionalText.transform((v, ctx): string => {
  if (v === undefined || v === "") return "";
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    ctx.addIssue({ code: "custom", message: `must be an http(s) URL; got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || url.search || url.hash) {
    ctx.addIssue({ code: "custom", message: "must be an http(s) base URL without credentials, query or fragment" });
    return z.NEVER;
  }
  return url.toString().replace(/\/+$/, "");
});

/** API keys: comma-separated; each at least 16 characters of the token alphabet (RFC 6750 b64token). */
const apiKeys = optionalText.transform((v, ctx): readonly string[] => {
  const keys = (v ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const bad = keys.findIndex((k) => k.length < 16 || !/^[A-Za-z0-9._~+/-]+=*$/.test(k));
  if (bad >= 0) {
    ctx.addIssue({ code: "custom", message: `key ${bad + 1} is shorter than 16 characters or has characters outside A-Z a-z 0-9 . _ ~ + / - (value not logged)` });
    return z.NEVER;
  }
  return keys;
});

const secret = (minLength: number) =>
  optionalText.transform((v, ctx): string => {
    if (v === undefined || v === "") return "";
    if (v.length < minLength) {
      ctx.addIssue({ code: "custom", message: `must be at least ${minLength} characters (value not logged)` });
      return z.NEVER;
    }
    return v;
  });

/** "*" (any origin; local dev) or a comma-separated list of origins like https://app.example.com. */
const corsOrigins = optionalText.transform((v, ctx): "*" | readonly string[] => {
  if (v === "*") return "*";
  const origins = (v ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  for (const o of origins) {
    let url: URL | null = null;
    try {
      url = new URL(o);
    } catch {
      /* reported below */
    }
    if (!url || url.origin !== o || (url.protocol !== "https:" && url.protocol !== "http:")) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(o)} is not an origin (scheme://host[:port], no path or trailing slash)` });
      return z.NEVER;
    }
  }
  return origins;
});

const textModelSource = optionalText.transform((v, ctx): string => {
  if (v === undefined || v === "") return "bundled";
  if (v === "bundled" || /^r2:[A-Za-z0-9._/-]+$/.test(v)) return v;
  ctx.addIssue({ code: "custom", message: `must be "bundled" or "r2:<prefix>"; got ${JSON.stringify(v)}` });
  return z.NEVER;
});

const MiB = 1024 * 1024;

/** Every variable the Worker reads, its spelling and its (safe) default. */
const schema = z.object({
  AUTH_MODE: choice(["required", "off"], "required"),
  API_KEYS: apiKeys,
  CORS_ORIGINS: corsOrigins,
  BENCH_ROUTES: flag(false),
  ORT_STARTUP: choice(["eager", "runtime", "lazy"], "eager"),
  HEAD_WARMUP: choice(["suite", "off"], "suite"),
  RATE_LIMIT: choice(["per-key", "off"], "per-key"),
  RATE_LIMIT_PERIOD_SECONDS: choice(["60", "10"], "60"),

  TEXT_MODEL_SOURCE: textModelSource,
  TEXT_MODEL_VERSION: optionalText.transform((v) => (v ? v : "1")),
  TEXT_CACHE_MAX_ENTRIES: integer(10_000, 1, 1_000_000),
  TEXT_CACHE_MAX_BYTES: integer(DEFAULT_TEXT_CACHE_MAX_BYTES, 1024, 96 * MiB),
  IMAGE_CACHE_MAX_ENTRIES: integer(500, 1, 1_000_000),
  IMAGE_CACHE_MAX_BYTES: integer(DEFAULT_IMAGE_CACHE_MAX_BYTES, 1024, 96 * MiB),
  FEATURE_CACHE_TTL_SECONDS: integer(7 * 24 * 3600, 60, 365 * 24 * 3600),
  FEATURE_KV_WRITES: choice(["on-reuse", "always", "never"], "on-reuse"),
  FEATURE_KV_MAX_ENTRY_BYTES: integer(1 * MiB, 1024, 25 * MiB),

  IMAGE_FEATURES_URL: httpUrl,
  FEATURES_URL: httpUrl,
  IMAGE_FEATURES_TOKEN: secret(16),
  IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS: integer(2000, 50, 60_000),
  IMAGE_FEATURES_DEADLINE_MS: integer(5000, 50, 120_000),
  IMAGE_FEATURES_MAX_ATTEMPTS: integer(3, 1, 10),
  IMAGE_FEATURES_BREAKER_FAILURES: integer(5, 1, 1000),
  IMAGE_FEATURES_BREAKER_COOLDOWN_MS: integer(10_000, 100, 600_000),

  IMAGE_URL_ALLOW_PRIVATE: flag(false),
  IMAGE_URL_TIMEOUT_MS: integer(5000, 100, 60_000),
});

export interface EdgeConfig {
  readonly authMode: "required" | "off";
  readonly apiKeys: readonly string[];
  readonly corsOrigins: "*" | readonly string[];
  readonly benchRoutes: boolean;
  /**
   * In the Worker's global scope: "eager" starts onnxruntime-web and the default text encoder's session;
   * "runtime" only onnxruntime-web (a one-node model), the encoder on first use; "lazy": all on first use.
   */
  readonly ortStartup: "eager" | "runtime" | "lazy";
  /** "suite": after a suite's first answer in an isolate, its other heads load in the background (waitUntil); "off": each on its first use. */
  readonly headWarmup: "suite" | "off";
  /** "per-key": the RATE_LIMITER binding limits each API key (or client IP when auth is off). */
  readonly rateLimit: "per-key" | "off";
  /** Must equal the binding's `simple.period`: it is what Retry-After says. */
  readonly rateLimitPeriodSeconds: number;
  readonly textModelSource: string;
  readonly textModelVersion: string;
  readonly textCacheMaxEntries: number;
  readonly textCacheMaxBytes: number;
  readonly imageCacheMaxEntries: number;
  readonly imageCacheMaxBytes: number;
  readonly remoteCacheTtlSeconds: number;
  /** When the KV tier is written: only once an entry is reused (default), always, or never. */
  readonly kvWrites: "on-reuse" | "always" | "never";
  readonly kvMaxEntryBytes: number;
  /** Base URL of the feature function (FEATURES_URL, or its older name IMAGE_FEATURES_URL); "" when none. */
  readonly featuresUrl: string;
  readonly featuresToken: string;
  readonly featuresAttemptTimeoutMs: number;
  readonly featuresDeadlineMs: number;
  readonly featuresMaxAttempts: number;
  readonly breakerFailures: number;
  readonly breakerCooldownMs: number;
  readonly imageUrlAllowPrivate: boolean;
  readonly imageUrlTimeoutMs: number;
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export type ConfigResult = { readonly ok: true; readonly config: EdgeConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Variables that no longer do anything: set, they would make an operator believe something they do not. */
const RETIRED: Record<string, string> = {
  IMAGE_FEATURES_MODEL: "is retired: each suite manifest names its feature-function model (encoder.model); remove the variable",
};

function crossChecks(v: z.infer<typeof schema>, env: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, message] of Object.entries(RETIRED)) if (env[name] !== undefined) problems.push({ variable: name, message });
  if (v.FEATURES_URL && v.IMAGE_FEATURES_URL && v.FEATURES_URL !== v.IMAGE_FEATURES_URL) {
    problems.push({ variable: "FEATURES_URL", message: "FEATURES_URL and IMAGE_FEATURES_URL are both set and differ; set one" });
  }
  if (v.IMAGE_FEATURES_DEADLINE_MS < v.IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS) {
    problems.push({ variable: "IMAGE_FEATURES_DEADLINE_MS", message: "must be at least IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS" });
  }
  if (v.RATE_LIMIT === "per-key" && v.AUTH_MODE === "required" && !isRateLimiter(env.RATE_LIMITER)) {
    problems.push({ variable: "RATE_LIMIT", message: 'is "per-key" but no RATE_LIMITER binding (type "ratelimit") is bound; bind one or set RATE_LIMIT = "off"' });
  }
  return problems;
}

export function isRateLimiter(binding: unknown): binding is RateLimit {
  return typeof binding === "object" && binding !== null && typeof (binding as { limit?: unknown }).limit === "function";
}

/** Parses the whole configuration; never throws. Usable outside a request (e.g. at start-up, with `env` from cloudflare:workers). */
export function parseConfig(env: object): ConfigResult {
  const raw = env as Record<string, unknown>;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })) };
  }
  const v = parsed.data;
  const problems = crossChecks(v, raw);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      authMode: v.AUTH_MODE,
      apiKeys: v.API_KEYS,
      corsOrigins: v.CORS_ORIGINS,
      benchRoutes: v.BENCH_ROUTES,
      ortStartup: v.ORT_STARTUP,
      headWarmup: v.HEAD_WARMUP,
      rateLimit: v.RATE_LIMIT,
      rateLimitPeriodSeconds: Number(v.RATE_LIMIT_PERIOD_SECONDS),
      textModelSource: v.TEXT_MODEL_SOURCE,
      textModelVersion: v.TEXT_MODEL_VERSION,
      textCacheMaxEntries: v.TEXT_CACHE_MAX_ENTRIES,
      textCacheMaxBytes: v.TEXT_CACHE_MAX_BYTES,
      imageCacheMaxEntries: v.IMAGE_CACHE_MAX_ENTRIES,
      imageCacheMaxBytes: v.IMAGE_CACHE_MAX_BYTES,
      remoteCacheTtlSeconds: v.FEATURE_CACHE_TTL_SECONDS,
      kvWrites: v.FEATURE_KV_WRITES,
      kvMaxEntryBytes: v.FEATURE_KV_MAX_ENTRY_BYTES,
      featuresUrl: v.FEATURES_URL || v.IMAGE_FEATURES_URL,
      featuresToken: v.IMAGE_FEATURES_TOKEN,
      featuresAttemptTimeoutMs: v.IMAGE_FEATURES_ATTEMPT_TIMEOUT_MS,
      featuresDeadlineMs: v.IMAGE_FEATURES_DEADLINE_MS,
      featuresMaxAttempts: v.IMAGE_FEATURES_MAX_ATTEMPTS,
      breakerFailures: v.IMAGE_FEATURES_BREAKER_FAILURES,
      breakerCooldownMs: v.IMAGE_FEATURES_BREAKER_COOLDOWN_MS,
      imageUrlAllowPrivate: v.IMAGE_URL_ALLOW_PRIVATE,
      imageUrlTimeoutMs: v.IMAGE_URL_TIMEOUT_MS,
    },
  };
}

/**
 * ORT_STARTUP alone, for the Worker's global scope: start-up must not depend on the rest of the
 * configuration (a missing secret is reported per request as 503 misconfigured, and a start-up
 * check such as `wrangler check startup` runs without the vars). null: the value is invalid, so
 * nothing starts (every /v1 request then gets 503 misconfigured anyway).
 */
export function ortStartupOf(env: object): EdgeConfig["ortStartup"] | null {
  const parsed = schema.shape.ORT_STARTUP.safeParse((env as Record<string, unknown>).ORT_STARTUP);
  return parsed.success ? parsed.data : null;
}

/** One parse per env object (workerd hands every request of an isolate the same one). */
const parsedByEnv = new WeakMap<object, ConfigResult>();
/** Problem lists already logged by this isolate: one line each, however many requests or env objects see them. */
const logged = new Set<string>();

export function configOf(env: object): ConfigResult {
  let result = parsedByEnv.get(env);
  if (!result) {
    result = parseConfig(env);
    parsedByEnv.set(env, result);
    if (!result.ok) {
      // Names the variables and what is wrong, never their (possibly secret) values.
      const line = JSON.stringify({ level: "error", event: "misconfigured", variables: result.problems.map((p) => p.variable), problems: result.problems });
      if (!logged.has(line)) {
        logged.add(line);
        console.error(line);
      }
    }
  }
  return result;
}

/** A 503 for callers (who never see which setting is wrong: that is in the log) that keeps the problems. */
export class ConfigInvalidError extends AppError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(503, "misconfigured", "the service is misconfigured; its operator must fix a setting (named in the Worker log)");
  }
}

/** The validated configuration; throws ConfigInvalidError (mapped to 503 misconfigured) when invalid. */
export function readConfig(env: object): EdgeConfig {
  const result = configOf(env);
  if (!result.ok) throw new ConfigInvalidError(result.problems);
  return result.config;
}
