// SSRF policy of image URLs: address checks, redirects re-checked hop by hop, type and size caps.
import { describe, expect, it } from "vitest";
import { checkImageUrl, fetchImageUrl } from "../../functions/edge/clients/image-url";
import { AppError } from "../../functions/edge/errors";

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === "function" ? p() : p);
    return "ok";
  } catch (e) {
    return e instanceof AppError ? `${e.status} ${e.code}` : `threw ${String(e)}`;
  }
};

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const fake = (routes: Record<string, () => Response>): typeof fetch =>
  (async (url: string | URL | Request) => {
    const r = routes[String(url)];
    if (!r) throw new TypeError(`unexpected fetch ${String(url)}`);
    return r();
  }) as typeof fetch;

describe("checkImageUrl", () => {
  it.each([
    "http://127.0.0.1/a.png", "http://2130706433/a.png", "http://0x7f.1/a.png", "http://10.1.2.3/", "http://172.20.0.1/", "http://192.168.0.1/",
    "http://169.254.169.254/", "http://100.64.1.1/", "http://[::1]/", "http://[fd12::1]/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/",
    "http://localhost/", "http://a.localhost/", "http://metadata.google.internal/", "http://nas.local/", "http://intranet/",
    "http://localhost./", "http://foo.localhost./", "http://printer.local./", "http://metadata.google.internal./", "http://nas.lan./",
    "http://router.home.arpa./", "http://[::ffff:169.254.169.254]/",
    "file:///etc/passwd", "ftp://example.com/a.png", "http://u:p@example.com/a.png",
  ])("refuses %s", async (u) => {
    expect(await codeOf(() => checkImageUrl(u, false))).toMatch(/^400 (blocked_url|invalid_url)$/);
  });
  it("allows public hosts, and private ones only when configured", () => {
    expect(checkImageUrl("https://example.com/a.png", false).hostname).toBe("example.com");
    expect(checkImageUrl("http://127.0.0.1:9/a.png", true).port).toBe("9");
    expect(checkImageUrl("http://[2606:4700:4700::1111]/a.png", false).hostname).toBe("[2606:4700:4700::1111]");
  });
});

describe("fetchImageUrl", () => {
  const policy = (fetcher: typeof fetch) => ({ allowPrivate: false, timeoutMs: 1000, maxRedirects: 2, fetcher });

  it("follows a redirect to a public host and returns the bytes", async () => {
    const f = fake({
      "https://a.example/x.png": () => new Response(null, { status: 302, headers: { location: "https://b.example/y.png" } }),
      "https://b.example/y.png": () => new Response(png, { headers: { "content-type": "image/png" } }),
    });
    expect(await fetchImageUrl("https://a.example/x.png", policy(f))).toEqual(png);
  });
  it("refuses a redirect to a private address without fetching it", async () => {
    const f = fake({ "https://a.example/x.png": () => new Response(null, { status: 301, headers: { location: "http://169.254.169.254/latest" } }) });
    expect(await codeOf(fetchImageUrl("https://a.example/x.png", policy(f)))).toBe("400 blocked_url");
  });
  it.each(["http://printer.local./x.png", "http://metadata.google.internal./computeMetadata/v1/", "http://localhost./x", "http://[::1]/x", "http://[fd00::1]/x", "/relative-but-fine-then-private"])(
    "re-checks every hop: a redirect to %s is refused before it is fetched",
    async (location) => {
      const routes: Record<string, () => Response> = {
        "https://a.example/x.png": () => new Response(null, { status: 302, headers: { location } }),
        "https://a.example/relative-but-fine-then-private": () => new Response(null, { status: 307, headers: { location: "http://foo.localhost./" } }),
      };
      expect(await codeOf(fetchImageUrl("https://a.example/x.png", policy(fake(routes))))).toBe("400 blocked_url");
    },
  );
  it("follows a redirect to a public IPv6 literal", async () => {
    const f = fake({
      "https://a.example/x.png": () => new Response(null, { status: 302, headers: { location: "http://[2606:4700:4700::1111]/y.png" } }),
      "http://[2606:4700:4700::1111]/y.png": () => new Response(png, { headers: { "content-type": "image/png" } }),
    });
    expect(await fetchImageUrl("https://a.example/x.png", policy(f))).toEqual(png);
  });
  it("stops after too many redirects", async () => {
    const f = fake({ "https://a.example/x.png": () => new Response(null, { status: 302, headers: { location: "https://a.example/x.png" } }) });
    expect(await codeOf(fetchImageUrl("https://a.example/x.png", policy(f)))).toBe("400 too_many_redirects");
  });
  it("refuses non-image content types and oversized bodies", async () => {
    const html = fake({ "https://a.example/x": () => new Response("<html>", { headers: { "content-type": "text/html" } }) });
    expect(await codeOf(fetchImageUrl("https://a.example/x", policy(html)))).toBe("415 unsupported_image_type");
    const big = fake({ "https://a.example/big.png": () => new Response(new Uint8Array(5 * 1024 * 1024), { headers: { "content-type": "image/png" } }) });
    expect(await codeOf(fetchImageUrl("https://a.example/big.png", policy(big)))).toBe("413 image_too_large");
  });
  it("maps upstream errors and unreachable hosts", async () => {
    const notFound = fake({ "https://a.example/x.png": () => new Response("no", { status: 404 }) });
    expect(await codeOf(fetchImageUrl("https://a.example/x.png", policy(notFound)))).toBe("422 image_url_failed");
    expect(await codeOf(fetchImageUrl("https://down.example/x.png", policy(fake({}))))).toBe("502 image_url_unreachable");
  });
});
