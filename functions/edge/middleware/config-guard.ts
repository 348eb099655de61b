/**
 * Fail closed: routes that depend on configuration run only when all of it is valid. Otherwise they
 * answer `503 misconfigured` (config.ts logs which variables, once). The parsed configuration is put
 * on the context for the middleware and routes after this one.
 */
import { createMiddleware } from "hono/factory";
import { ConfigInvalidError, configOf } from "../config";
import type { AppEnv } from "../env";

export const configGuard = createMiddleware<AppEnv>(async (c, next) => {
  const result = configOf(c.env);
  if (!result.ok) throw new ConfigInvalidError(result.problems);
  c.set("config", result.config);
  await next();
});
