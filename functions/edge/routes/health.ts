/**
 * Liveness without touching any model; 503 misconfigured when the configuration is invalid, so a
 * deploy check or load balancer sees a broken rollout before users do.
 */
import { Hono } from "hono";
import { ConfigInvalidError, configOf } from "../config";
import type { AppEnv } from "../env";

export const health = new Hono<AppEnv>().get("/healthz", (c) => {
  const config = configOf(c.env);
  if (!config.ok) throw new ConfigInvalidError(config.problems);
  return c.json({ ok: true });
});
