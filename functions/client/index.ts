/** edgefuse's typed client: `createClient({ baseUrl, apiKey })`, then answer / answerBatch / predict / suites / suite / textFeatures / models / health. */
export { createClient, EdgefuseClient, type ClientOptions } from "./client";
export { EdgefuseError, isEdgefuseError, type ClientErrorCode } from "./errors";
export { parseServerTiming } from "./server-timing";
export type * from "./types";
