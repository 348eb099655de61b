/**
 * Bearer API keys for /v1/*. AUTH_MODE `required` (the default, so an environment without the
 * variable is closed) demands `Authorization: Bearer <key>` with a key from the API_KEYS secret
 * (comma-separated, for rotation); `off` is set explicitly for local dev only (wrangler.toml's top
 * level). Keys are compared by SHA-256 digest over the whole list with no early exit, so timing
 * reveals neither a prefix nor which key matched. Written here rather than with hono's bearer-auth
 * because its failures are plain-text HTTPExceptions outside the edge's error model.
 */
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../cache/feature-key";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

const CHALLENGE = 'Bearer realm="edgefuse"';

export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  if (config.authMode === "off") return next();
  if (config.apiKeys.length === 0) throw new AppError(503, "auth_not_configured", "AUTH_MODE is required but no API_KEYS secret is set");
  const match = (c.req.header("authorization") ?? "").match(/^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i);
  if (!match) {
    c.header("www-authenticate", CHALLENGE);
    throw new AppError(401, "unauthorized", "send Authorization: Bearer <api key>");
  }
  const given = await sha256Hex(match[1]!);
  const digests = await Promise.all(config.apiKeys.map((k) => sha256Hex(k)));
  let found = -1;
  digests.forEach((d, i) => {
    if (d === given) found = i; // no early exit
  });
  if (found < 0) {
    c.header("www-authenticate", `${CHALLENGE}, error="invalid_token"`);
    throw new AppError(401, "unauthorized", "unknown API key");
  }
  c.set("apiKeyId", given.slice(0, 16)); // a stable, non-secret id of the key (rate limiting)
  return next();
});
