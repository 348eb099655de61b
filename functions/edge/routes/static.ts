/**
 * The demo page and other static assets. The Worker runs first for every request, so it passes
 * GETs it has no route for to the assets binding, except model files (read internally only).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

export const staticAssets = new Hono<AppEnv>().get("*", async (c, next) => {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/models/") || path.startsWith("/v1/") || path.startsWith("/_")) return next();
  const res = await c.env.ASSETS.fetch(c.req.raw);
  if (res.status === 404) throw new AppError(404, "not_found", `no route for GET ${path}`);
  return res;
});
