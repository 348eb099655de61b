/** Liveness: answers without touching any model. */
import { Hono } from "hono";
import type { AppEnv } from "../env";

export const health = new Hono<AppEnv>().get("/healthz", (c) => c.json({ ok: true }));
