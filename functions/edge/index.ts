/** The edge Worker: wiring only. */
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import defaultTextEncoder from "../../models/sort-of-clevr/text-encoder.int8.onnx";
import { ortStartupOf } from "./config";
import type { AppEnv } from "./env";
import { handleError, notFound } from "./errors";
import { identityModel } from "./inference/identity-model";
import { startRuntime } from "./inference/ort";
import { BUNDLED_HEAD_FILES } from "./models/bundled-heads";
import { serveFromScript } from "./models/suites";
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
import { suiteRoutes } from "./routes/suites";
import { textFeatures } from "./routes/text-features";

// Start onnxruntime-web and the default suite's text encoder while the isolate starts, off the first
// request's path (docs/ort-in-workerd.md#start-up). Never throws: on failure the first request
// starts it lazily, as with ORT_STARTUP=lazy. Only ORT_STARTUP is read here; an invalid value
// starts nothing (the whole configuration is checked per request: middleware/config-guard.ts).
const ortStartup = ortStartupOf(env);
if (ortStartup === "eager") {
  await startRuntime([{ name: "sort-of-clevr text encoder", bytes: new Uint8Array(defaultTextEncoder) }]);
} else if (ortStartup === "runtime") {
  await startRuntime([{ name: "onnxruntime (one-node model)", bytes: identityModel() }]);
}

// The default suite's default head is in the script (models/bundled-heads.ts): no asset read on first use.
for (const [id, files] of Object.entries(BUNDLED_HEAD_FILES)) serveFromScript(id, files);

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
app.route("/", suiteRoutes);
app.route("/", bench);
app.route("/", staticAssets);
app.notFound(notFound);
app.onError(handleError);

export default app;
