/**
 * Fetching an image by URL without becoming an SSRF proxy: http(s) only, no credentials in the URL,
 * no loopback/private/link-local/reserved IP literals or local host names (host-policy.ts; unless the
 * deployment explicitly allows private addresses, as local dev does), redirects followed by hand and each hop
 * checked again, a timeout, a content-type check and a byte cap enforced while streaming.
 */
import { AppError } from "../errors";
import { readCapped } from "../util/read-capped";
import { MAX_IMAGE_BYTES } from "../validation/image-bytes";
import { hostBlocked } from "./host-policy";

export interface ImageUrlPolicy {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly fetcher?: typeof fetch;
}

const ALLOWED_TYPES = /^image\/(png|jpeg|webp)\b/i;

/** Throws AppError 400 `blocked_url` when the URL may not be fetched. */
export function checkImageUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(400, "invalid_url", "image.url is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new AppError(400, "blocked_url", "image.url must be http or https");
  if (url.username || url.password) throw new AppError(400, "blocked_url", "image.url must not carry credentials");
  if (allowPrivate) return url;
  // WHATWG URL parsing has already normalised IPv4 spellings, IPv6 and case (host-policy.ts).
  if (hostBlocked(url.hostname)) {
    throw new AppError(400, "blocked_url", "image.url points to a private or local address");
  }
  return url;
}

export async function fetchImageUrl(raw: string, policy: ImageUrlPolicy): Promise<Uint8Array> {
  let url = checkImageUrl(raw, policy.allowPrivate);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await (policy.fetcher ?? fetch)(url.toString(), { redirect: "manual", signal: controller.signal, headers: { accept: "image/png, image/jpeg, image/webp" } });
      } catch {
        if (controller.signal.aborted) throw new AppError(504, "image_url_timeout", "fetching image.url timed out");
        throw new AppError(502, "image_url_unreachable", "image.url could not be fetched");
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location || hop >= policy.maxRedirects) throw new AppError(400, "too_many_redirects", "image.url redirects too often or without a location");
        url = checkImageUrl(new URL(location, url).toString(), policy.allowPrivate);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new AppError(422, "image_url_failed", `image.url answered ${res.status}`);
      }
      if (!ALLOWED_TYPES.test(res.headers.get("content-type") ?? "")) {
        await res.body?.cancel();
        throw new AppError(415, "unsupported_image_type", "image.url did not return image/png, image/jpeg or image/webp");
      }
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > MAX_IMAGE_BYTES) {
        await res.body?.cancel();
        throw new AppError(413, "image_too_large", `the image is over ${MAX_IMAGE_BYTES} bytes`);
      }
      return await readCapped(res.body, MAX_IMAGE_BYTES, () => new AppError(413, "image_too_large", `the image is over ${MAX_IMAGE_BYTES} bytes`));
    }
  } finally {
    clearTimeout(timer);
  }
}
