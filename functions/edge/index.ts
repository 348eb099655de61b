/** The edge Worker: wiring only. */
import { Hono } from "hono";
import type { AppEnv } from "./env";
import { handleError, notFound } from "./errors";
import { requestId } from "./middleware/request-id";
import { answerRoutes } from "./routes/answer";
import { bench } from "./routes/bench";
import { health } from "./routes/health";
import { models } from "./routes/models";
import { textFeatures } from "./routes/text-features";

const app = new Hono<AppEnv>();
app.use("*", requestId);
app.route("/", health);
app.route("/", models);
app.route("/", textFeatures);
app.route("/", answerRoutes);
app.route("/", bench);
app.notFound(notFound);
app.onError(handleError);

export default app;
