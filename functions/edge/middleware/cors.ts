/** CORS for web frontends: CORS_ORIGINS is "*" or a comma-separated allow-list of origins. */
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const corsFromEnv = createMiddleware<AppEnv>((c, next) => {
  const setting = (c.env.CORS_ORIGINS ?? "").trim();
  const allowed = setting === "*" ? "*" : setting.split(",").map((o) => o.trim()).filter(Boolean);
  return cors({
    origin: (origin) => (allowed === "*" ? origin || "*" : allowed.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["content-type", "authorization", "x-request-id"],
    exposeHeaders: ["server-timing", "x-request-id"],
    maxAge: 600,
  })(c, next);
});
