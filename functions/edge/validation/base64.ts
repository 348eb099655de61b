/** Strict base64 (standard or URL alphabet, optional data: URL prefix) to bytes, with a size cap. */
import { AppError } from "../errors";

export function decodeBase64(s: string, maxBytes: number, where: string, tooLargeCode = "input_too_large"): Uint8Array {
  const body = s.replace(/^data:[a-z]+\/[a-z0-9+.-]+;base64,/i, "").replace(/\s+/g, "");
  if (body.length > Math.ceil((maxBytes * 4) / 3) + 4) throw new AppError(413, tooLargeCode, `${where} is over ${maxBytes} bytes`, { field: where });
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body) || body.length % 4 === 1) throw new AppError(400, "invalid_base64", `${where} is not valid base64`, { field: where });
  let binary: string;
  try {
    binary = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new AppError(400, "invalid_base64", `${where} is not valid base64`, { field: where });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
