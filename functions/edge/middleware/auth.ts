/**
 * Bearer API keys for /v1/*. AUTH_MODE "required" (staging, production) demands
 * `Authorization: Bearer <key>` with a key from the API_KEYS secret (comma-separated); "off" is for
 * local dev only. Keys are compared by SHA-256 digest so timing does not leak their prefix.
 */
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../cache/feature-key";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.AUTH_MODE !== "required") return next();
  const keys = (c.env.API_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  if (keys.length === 0) throw new AppError(503, "auth_not_configured", "AUTH_MODE is required but no API_KEYS secret is set");
  const match = (c.req.header("authorization") ?? "").match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new AppError(401, "unauthorized", "send Authorization: Bearer <api key>");
  const given = await sha256Hex(match[1]!);
  const digests = await Promise.all(keys.map((k) => sha256Hex(k)));
  let ok = false;
  for (const d of digests) ok = d === given || ok; // no early exit
  if (!ok) throw new AppError(401, "unauthorized", "unknown API key");
  return next();
});
