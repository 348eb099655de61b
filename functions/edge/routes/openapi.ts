/** GET /openapi.json. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { openApiDocument } from "../openapi";

export const openapi = new Hono<AppEnv>().get("/openapi.json", (c) => c.json(openApiDocument()));
