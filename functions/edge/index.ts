/** The edge Worker: wiring only. */
import { Hono } from "hono";
import type { AppEnv } from "./env";
import { handleError, notFound } from "./errors";
import { apiKeyAuth } from "./middleware/auth";
import { configGuard } from "./middleware/config-guard";
import { corsFromConfig } from "./middleware/cors";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { answerRoutes } from "./routes/answer";
import { bench } from "./routes/bench";
import { health } from "./routes/health";
import { models } from "./routes/models";
import { openapi } from "./routes/openapi";
import { staticAssets } from "./routes/static";
import { textFeatures } from "./routes/text-features";

const app = new Hono<AppEnv>();
app.use("*", requestId);
app.use("/v1/*", corsFromConfig);
app.use("/openapi.json", corsFromConfig);
// Fail closed: no /v1 or bench route runs on an invalid configuration (503 misconfigured).
app.use("/v1/*", configGuard);
app.use("/_bench/*", configGuard);
app.use("/v1/*", apiKeyAuth);
app.use("/v1/*", rateLimit);
app.route("/", health);
app.route("/", openapi);
app.route("/", models);
app.route("/", textFeatures);
app.route("/", answerRoutes);
app.route("/", bench);
app.route("/", staticAssets);
app.notFound(notFound);
app.onError(handleError);

export default app;
