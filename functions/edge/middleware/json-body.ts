/** Reads a JSON body with the checks every JSON route needs: content type, size, syntax. */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

export async function readJsonBody(c: Context<AppEnv>, maxBytes: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "send the body as application/json");
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError(413, "body_too_large", `the body is over ${maxBytes} bytes`);
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength > maxBytes) throw new AppError(413, "body_too_large", `the body is over ${maxBytes} bytes`);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    throw new AppError(400, "invalid_json", "the body is not valid UTF-8 JSON");
  }
}
