/**
 * Per-key rate limiting with the Workers rate-limiting binding (RATE_LIMITER, `[[ratelimits]]` in
 * wrangler.toml; its limit and period are set per environment there). The key is the caller's API
 * key (by digest, never the key itself) or, with AUTH_MODE off, the client address. Over the limit:
 * `429 rate_limited` with `Retry-After` (the binding's period: it counts in fixed windows and does
 * not say when the current one ends, so the whole period is the honest upper bound).
 * The binding is required when AUTH_MODE is required and RATE_LIMIT is per-key (config.ts); with
 * auth off and no binding (plain local dev) nothing is limited.
 */
import { createMiddleware } from "hono/factory";
import { isRateLimiter } from "../config";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  const limiter = c.env.RATE_LIMITER;
  if (config.rateLimit === "off" || !isRateLimiter(limiter)) return next();
  const who = c.get("apiKeyId") ?? `ip:${c.req.header("cf-connecting-ip") ?? "local"}`;
  const { success } = await limiter.limit({ key: who });
  if (!success) {
    c.header("retry-after", String(config.rateLimitPeriodSeconds));
    throw new AppError(429, "rate_limited", `too many requests for this API key; retry after ${config.rateLimitPeriodSeconds} s`);
  }
  await next();
});
