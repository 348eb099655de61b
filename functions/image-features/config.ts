/**
 * Server configuration: defaults, then environment variables, then command-line flags (flags win).
 * Also enforces the one start-up safety rule: auth may be off only on a loopback address.
 */
import { isIP } from "node:net";
import { delimiter } from "node:path";
import { MODEL_NAME } from "./repository/config-schema.js";

export type ProviderChoice = "auto" | "cuda" | "cpu";

export interface Config {
  host: string;
  port: number;
  /** Model repositories: folders of <name>/config.json + <version>/model.onnx (docs/image-features.md). */
  repositories: string[];
  /** Serve only these models of the repository; empty = all of them. */
  models: string[];
  provider: ProviderChoice;
  /** 0 lets onnxruntime pick (all cores). */
  intraOpThreads: number;
  auth: { enabled: boolean; token: string | undefined };
  /** adaptiveDelay: skip the queue delay when no other request is on its way in (batcher.ts). */
  batching: { maxBatchSize: number; maxQueueDelayMs: number; maxQueue: number; adaptiveDelay: boolean };
  limits: { maxBodyBytes: number; maxImages: number; maxPixels: number; requestTimeoutMs: number };
  /** How long SIGTERM waits for in-flight and queued work before forcing exit. */
  shutdownGraceMs: number;
  /** Images decoded at once across all requests (sharp work runs on the libuv pool). */
  decodeConcurrency: number;
}

export const DEFAULTS: Config = {
  host: "127.0.0.1",
  port: 8081,
  repositories: ["models/repository"],
  models: [],
  provider: "auto",
  intraOpThreads: 0,
  auth: { enabled: true, token: undefined },
  batching: { maxBatchSize: 32, maxQueueDelayMs: 5, maxQueue: 256, adaptiveDelay: true },
  limits: { maxBodyBytes: 16 * 1024 * 1024, maxImages: 64, maxPixels: 4096 * 4096, requestTimeoutMs: 30_000 },
  shutdownGraceMs: 30_000,
  decodeConcurrency: 4,
};

export class ConfigError extends Error {}

/** Minimum bearer token length: short tokens are guessable. */
const MIN_TOKEN_LENGTH = 16;

function int(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h.startsWith("::ffff:127.");
}

/** Flags and env vars; each entry maps a flag (and its env var) onto a config field. */
const OPTIONS: Record<string, { env: string; apply: (c: Config, v: string) => void; boolean?: true; repeatable?: true }> = {
  "--host": { env: "IMAGE_FEATURES_HOST", apply: (c, v) => void (c.host = v) },
  "--port": { env: "IMAGE_FEATURES_PORT", apply: (c, v) => void (c.port = int("port", v, 0)) },
  // Repeatable flag; the variable takes a list separated by ":" (like PATH).
  "--repository": { env: "IMAGE_FEATURES_REPOSITORY", repeatable: true, apply: (c, v) => void (c.repositories = v.split(delimiter).filter((p) => p !== "")) },
  "--models": {
    env: "IMAGE_FEATURES_MODELS",
    apply: (c, v) => {
      const names = v.split(",").map((n) => n.trim());
      if (names.some((n) => !MODEL_NAME.test(n))) throw new ConfigError(`models must be a comma-separated list of model names, got "${v}"`);
      c.models = names;
    },
  },
  "--provider": {
    env: "IMAGE_FEATURES_PROVIDER",
    apply: (c, v) => {
      if (v !== "auto" && v !== "cuda" && v !== "cpu") throw new ConfigError(`provider must be auto, cuda or cpu, got "${v}"`);
      c.provider = v;
    },
  },
  "--intra-op-threads": { env: "IMAGE_FEATURES_INTRA_OP_THREADS", apply: (c, v) => void (c.intraOpThreads = int("intra-op-threads", v, 0)) },
  "--max-batch-size": { env: "IMAGE_FEATURES_MAX_BATCH_SIZE", apply: (c, v) => void (c.batching.maxBatchSize = int("max-batch-size", v, 1)) },
  "--max-queue-delay-ms": { env: "IMAGE_FEATURES_MAX_QUEUE_DELAY_MS", apply: (c, v) => void (c.batching.maxQueueDelayMs = int("max-queue-delay-ms", v, 0)) },
  "--adaptive-delay": {
    env: "IMAGE_FEATURES_ADAPTIVE_DELAY",
    apply: (c, v) => {
      if (v !== "on" && v !== "off") throw new ConfigError(`adaptive-delay must be on or off, got "${v}"`);
      c.batching.adaptiveDelay = v === "on";
    },
  },
  "--max-queue": { env: "IMAGE_FEATURES_MAX_QUEUE", apply: (c, v) => void (c.batching.maxQueue = int("max-queue", v, 1)) },
  "--max-body-bytes": { env: "IMAGE_FEATURES_MAX_BODY_BYTES", apply: (c, v) => void (c.limits.maxBodyBytes = int("max-body-bytes", v, 1024)) },
  "--max-images": { env: "IMAGE_FEATURES_MAX_IMAGES", apply: (c, v) => void (c.limits.maxImages = int("max-images", v, 1)) },
  "--max-pixels": { env: "IMAGE_FEATURES_MAX_PIXELS", apply: (c, v) => void (c.limits.maxPixels = int("max-pixels", v, 1)) },
  "--request-timeout-ms": { env: "IMAGE_FEATURES_REQUEST_TIMEOUT_MS", apply: (c, v) => void (c.limits.requestTimeoutMs = int("request-timeout-ms", v, 1)) },
  "--shutdown-grace-ms": { env: "IMAGE_FEATURES_SHUTDOWN_GRACE_MS", apply: (c, v) => void (c.shutdownGraceMs = int("shutdown-grace-ms", v, 0)) },
  "--decode-concurrency": { env: "IMAGE_FEATURES_DECODE_CONCURRENCY", apply: (c, v) => void (c.decodeConcurrency = int("decode-concurrency", v, 1)) },
  "--insecure-local": {
    env: "IMAGE_FEATURES_AUTH",
    boolean: true,
    apply: (c, v) => {
      // The flag passes "off"; the variable must say on or off exactly (IMAGE_FEATURES_AUTH=true once meant off).
      if (v !== "off" && v !== "on") throw new ConfigError(`IMAGE_FEATURES_AUTH must be on or off, got "${v}"`);
      c.auth.enabled = v === "on";
    },
  },
};

export const USAGE = `Usage: tsx functions/image-features/main.ts [options]
  --host H                 bind address (IMAGE_FEATURES_HOST, default 127.0.0.1)
  --port N                 port, 0 = any free (IMAGE_FEATURES_PORT, default 8081)
  --repository DIR         model repository; repeat for several (IMAGE_FEATURES_REPOSITORY, ":"-separated, default models/repository)
  --models A,B             serve only these models (IMAGE_FEATURES_MODELS, default: every model in the repository)
  --provider auto|cuda|cpu execution provider (IMAGE_FEATURES_PROVIDER, default auto)
  --intra-op-threads N     onnxruntime intra-op threads, 0 = all cores (IMAGE_FEATURES_INTRA_OP_THREADS)
  --max-batch-size N       cap on items per batch; each model's config.json sets its own (IMAGE_FEATURES_MAX_BATCH_SIZE, default 32)
  --max-queue-delay-ms N   how long a batch waits to fill (IMAGE_FEATURES_MAX_QUEUE_DELAY_MS, default 5)
  --adaptive-delay on|off  skip the delay when no other request is arriving (IMAGE_FEATURES_ADAPTIVE_DELAY, default on)
  --max-queue N            admitted infer requests per model before 503 queue_full (IMAGE_FEATURES_MAX_QUEUE, default 256)
  --max-body-bytes N       request body limit (IMAGE_FEATURES_MAX_BODY_BYTES, default 16 MiB)
  --max-images N           items per request (IMAGE_FEATURES_MAX_IMAGES, default 64)
  --max-pixels N           decoded pixels per image (IMAGE_FEATURES_MAX_PIXELS, default 4096*4096)
  --request-timeout-ms N   per-request deadline (IMAGE_FEATURES_REQUEST_TIMEOUT_MS, default 30000)
  --shutdown-grace-ms N    drain time on SIGTERM (IMAGE_FEATURES_SHUTDOWN_GRACE_MS, default 30000)
  --decode-concurrency N   items decoded at once, all models (IMAGE_FEATURES_DECODE_CONCURRENCY, default 4)
  --insecure-local         no auth; loopback hosts only (IMAGE_FEATURES_AUTH=off)
Auth token: IMAGE_FEATURES_TOKEN (required unless --insecure-local).`;

/** Build a config from argv (without node and script) and an environment. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const config: Config = structuredClone(DEFAULTS);
  for (const opt of Object.values(OPTIONS)) {
    const v = env[opt.env];
    if (v !== undefined && v !== "") opt.apply(config, v);
  }
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const opt = OPTIONS[flag];
    if (!opt) throw new ConfigError(`unknown option ${arg}\n${USAGE}`);
    if (opt.boolean) {
      opt.apply(config, "off");
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    if (opt.repeatable) repeated.set(flag, [...(repeated.get(flag) ?? []), value]);
    else opt.apply(config, value);
  }
  // Repeated flags replace the variable's list as a whole.
  for (const [flag, values] of repeated) OPTIONS[flag]?.apply(config, values.join(delimiter));
  if (config.repositories.length === 0) throw new ConfigError("at least one model repository is needed (--repository DIR)");
  config.auth.token = env.IMAGE_FEATURES_TOKEN || undefined;
  validate(config);
  return config;
}

export function validate(config: Config): void {
  if (!config.auth.enabled && !isLoopback(config.host)) {
    throw new ConfigError(
      `refusing to start without auth on non-loopback host ${config.host}: set IMAGE_FEATURES_TOKEN, or bind 127.0.0.1 for local development`,
    );
  }
  if (config.auth.enabled) {
    if (!config.auth.token) throw new ConfigError("IMAGE_FEATURES_TOKEN is not set (or pass --insecure-local on a loopback host)");
    if (config.auth.token.length < MIN_TOKEN_LENGTH) throw new ConfigError(`IMAGE_FEATURES_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
}
