/**
 * CORS for web frontends: CORS_ORIGINS is "*" (local dev) or an allow-list of origins; unset means no
 * origin is allowed. When the configuration is invalid no CORS header is sent at all.
 */
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import type { AppEnv } from "../env";

export const corsFromConfig = createMiddleware<AppEnv>((c, next) => {
  const result = configOf(c.env);
  const allowed = result.ok ? result.config.corsOrigins : [];
  return cors({
    origin: (origin) => (allowed === "*" ? origin || "*" : allowed.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["content-type", "authorization", "x-request-id"],
    exposeHeaders: ["server-timing", "x-request-id", "retry-after", "ratelimit-policy"],
    maxAge: 600,
  })(c, next);
});
