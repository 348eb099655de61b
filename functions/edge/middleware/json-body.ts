/** Reads a JSON body with the checks every JSON route needs: content type, size, syntax. */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { readCapped } from "../util/read-capped";

export async function readJsonBody(c: Context<AppEnv>, maxBytes: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "send the body as application/json");
  }
  const tooLarge = () => new AppError(413, "body_too_large", `the body is over ${maxBytes} bytes`);
  if (Number(c.req.header("content-length") ?? "0") > maxBytes) throw tooLarge();
  const raw = await readCapped(c.req.raw.body, maxBytes, tooLarge); // chunked bodies carry no length
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    throw new AppError(400, "invalid_json", "the body is not valid UTF-8 JSON");
  }
}
