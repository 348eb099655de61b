/**
 * Generated hostile requests for the edge Worker. Each case says what a correct service does:
 * `4xx` (a 4xx with a stable code) or `ok-or-4xx` (valid but odd input: 200, or a 4xx with a code).
 * A 5xx is always a failure: the client sent something wrong, the service must say so.
 */
import { deflateSync } from "node:zlib";
import { encodePng } from "../../scripts/dataset/png";
import { concatBytes, ihdr, PNG_SIGNATURE, pngChunk } from "../../functions/tasks/png-chunks";
import { generateScene, renderScene } from "../../scripts/dataset/sort-of-clevr";

export interface HostileCase {
  readonly name: string;
  readonly target: "edge" | "image";
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | string;
  readonly expect: "4xx" | "ok-or-4xx";
  readonly auth?: boolean; // false: send no credentials
  /** When set, the 4xx must carry one of these codes (e.g. SSRF attempts must be `blocked_url`). */
  readonly codes?: readonly string[];
  /** Oversized uploads: the server may answer 413 and close the connection before reading it all. */
  readonly mayReset?: boolean;
}

export const PNG = encodePng(renderScene(generateScene(31337, 0)));
const PNG_B64 = PNG.toString("base64");

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function pngWithHeader(width: number, height: number, idat: Uint8Array): Uint8Array {
  return concatBytes([PNG_SIGNATURE, pngChunk("IHDR", ihdr(width, height, 0)), pngChunk("IDAT", idat), pngChunk("IEND", new Uint8Array(0))]);
}

/** Images a decoder must refuse without falling over. */
export function hostileImages(): [string, Uint8Array][] {
  const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
  const r = rng(7);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  // 12000 × 12000 greyscale zeros: 144 MB decoded, about 140 KB compressed.
  const bombRows = Buffer.alloc(12000 * (12000 + 1));
  const bomb = pngWithHeader(12000, 12000, deflateSync(bombRows, { level: 9 }));
  return [
    ["truncated PNG (half)", PNG.subarray(0, PNG.length >> 1)],
    ["truncated PNG (header only)", PNG.subarray(0, 33)],
    ["PNG with corrupt IDAT", Buffer.concat([PNG.subarray(0, 60), random(200), PNG.subarray(PNG.length - 12)])],
    ["truncated JPEG", jpegHead],
    ["JPEG header then garbage", Buffer.concat([jpegHead, random(500)])],
    ["WebP header then garbage", Buffer.concat([Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1"), random(64)])],
    ["decompression bomb 12000×12000", bomb],
    ["enormous dimensions 65535×65535 (tiny IDAT)", pngWithHeader(65535, 65535, deflateSync(Buffer.alloc(100)))],
    ["zero width", pngWithHeader(0, 10, deflateSync(Buffer.alloc(10)))],
    ["GIF", Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")],
    ["BMP", Buffer.concat([Buffer.from("BM", "latin1"), random(60)])],
    ["PDF", Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\n", "latin1")],
    ["SVG", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>')],
    ["plain text", Buffer.from("hello, I am not an image")],
    ["random bytes", random(1000)],
    ["empty", new Uint8Array(0)],
  ];
}

const json = (path: string, body: unknown, expect: HostileCase["expect"] = "4xx", name = ""): HostileCase => ({
  name: name || `${path} ${JSON.stringify(body).slice(0, 60)}`,
  target: "edge",
  method: "POST",
  path,
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
  expect,
});

export function edgeCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const routes = ["/v1/features/text", "/v1/answer", "/v1/answer/batch"];
  const q = "what shape is the red object?";
  const img = { base64: PNG_B64 };

  // Malformed JSON, on every JSON route.
  const malformed = ["", "{", "}", "[", '{"texts": [', '{"question": "a",}', "nul", "tru", "{'a': 1}", "\u0000", "\ufeff{}", '{"a":1}{"b":2}', "1e999999", "-", '"unterminated', "[".repeat(5000) + "]".repeat(5000), '{"a":'.repeat(3000) + "1" + "}".repeat(3000), "\ud800", "{\"texts\": [\"\\ud800\\u\"]}"];
  for (const r of routes) for (const m of malformed) cases.push(json(r, m, m.startsWith("[[") || m.startsWith('{"a":{') ? "4xx" : "4xx", `${r} malformed ${JSON.stringify(m.slice(0, 20))}`));

  // Wrong types for every field.
  const wrong = [null, true, 0, -1, 1.5, "x", [], {}, [[]], [null], { a: 1 }, "9".repeat(400)];
  for (const v of wrong) {
    cases.push(json("/v1/features/text", { texts: v }));
    cases.push(json("/v1/features/text", { texts: [v] }, typeof v === "string" ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer", { question: v, image: img }, typeof v === "string" ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer", { question: q, image: v }));
    cases.push(json("/v1/answer", { question: q, image: { base64: v } }, "4xx"));
    cases.push(json("/v1/answer", { question: q, image: { url: v } }, "4xx"));
    cases.push(json("/v1/answer", { question: q, image: img, fusion: v }, v === null ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer", { question: q, image: img, topK: v }, v === null ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer", { question: q, image: img, allowDegraded: v }, v === null || v === true ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer/batch", { questions: v, image: img }));
  }
  for (const body of [null, [], "text", 42, true]) for (const r of routes) cases.push(json(r, JSON.stringify(body)));

  // Huge and empty texts, unicode edge cases.
  const texts = ["", " ", "\n\t\r", "\u200b\u200b", "x".repeat(4097), "red ".repeat(30), "a".repeat(4096), "\u0000", "\ud83d\ude00".repeat(50), "\u202e what shape is the red object?", "e\u0301".repeat(300), "\ud800", "\udfff lone", "ｗｈａｔ ｓｈａｐｅ", "什么形状", "\u0085\u2028\u2029", "\uffff\ufffe", "Ω".repeat(3000)];
  for (const t of texts) {
    const valid = t.trim().length > 0 && t.length <= 4096;
    cases.push(json("/v1/features/text", { texts: [t] }, valid ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer", { question: t, image: img }, valid ? "ok-or-4xx" : "4xx"));
    cases.push(json("/v1/answer/batch", { questions: [q, t], image: img }, valid ? "ok-or-4xx" : "4xx"));
  }
  cases.push(json("/v1/features/text", { texts: Array(65).fill(q) }));
  cases.push(json("/v1/answer/batch", { questions: Array(33).fill(q), image: img }));
  cases.push(json("/v1/features/text", { texts: Array(64).fill("x".repeat(4096)) }, "ok-or-4xx", "64 texts of 4096 chars"));

  // Oversized bodies.
  cases.push(json("/v1/answer", { question: q, image: { base64: "A".repeat(8 * 1024 * 1024) } }, "4xx", "8 MiB of base64"));
  cases.push(json("/v1/features/text", { texts: [q], pad: "x".repeat(3 * 1024 * 1024) }, "4xx", "3 MiB body for text features"));

  // Non-image and broken image bytes, as base64 and as multipart.
  for (const [name, bytes] of hostileImages()) {
    cases.push(json("/v1/answer", { question: q, image: { base64: Buffer.from(bytes).toString("base64") } }, "4xx", `answer: ${name}`));
    const boundary = "----hostile" + name.length;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="question"\r\n\r\n${q}\r\n--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="x.png"\r\ncontent-type: image/png\r\n\r\n`),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    cases.push({ name: `multipart: ${name}`, target: "edge", method: "POST", path: "/v1/answer", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body, expect: "4xx" });
  }
  for (const b64 of ["!!!!", "====", "A", "AB=C", "data:image/png;base64,@@@", "%%%%", " ".repeat(10)]) cases.push(json("/v1/answer", { question: q, image: { base64: b64 } }));

  // SSRF: private ranges, loopback, link-local, local names, other schemes, numeric IP spellings.
  const urls = [
    "http://127.0.0.1/x.png", "http://127.1/x.png", "http://0.0.0.0/x.png", "http://0/x.png", "http://2130706433/x.png", "http://0x7f000001/x.png", "http://017700000001/x.png",
    "http://10.0.0.1/x.png", "http://172.16.0.1/x.png", "http://172.31.255.255/x.png", "http://192.168.1.1/x.png", "http://100.64.0.1/x.png", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/x.png", "http://[::]/x.png", "http://[fd00::1]/x.png", "http://[fe80::1]/x.png", "http://[::ffff:127.0.0.1]/x.png", "http://[::ffff:7f00:1]/x.png",
    "http://localhost/x.png", "http://localhost:8787/healthz", "http://foo.localhost/x.png", "http://metadata.google.internal/x.png", "http://printer.local/x.png", "http://intranet/x.png",
    "file:///etc/passwd", "ftp://example.com/x.png", "gopher://example.com/", "data:image/png;base64,AAAA", "javascript:alert(1)", "ws://example.com/", "http://user:pass@example.com/x.png",
    "not a url", "http://", "http://[::1", "https://exa mple.com/x.png",
    // Fully-qualified spellings (trailing dots) and other names that never resolve publicly.
    "http://localhost./x.png", "http://localhost../x.png", "http://foo.localhost./x.png", "http://printer.local./x.png", "http://metadata.google.internal./computeMetadata/v1/",
    "http://127.0.0.1./x.png", "http://169.254.169.254./latest/", "http://nas.lan/x.png", "http://nas.lan./x.png", "http://router.home.arpa./x.png", "http://db.internal/x.png",
    // IPv6 that is not global unicast: mapped, compatible, NAT64, ULA, link-local, site-local, multicast, documentation, 6to4 of private.
    "http://[::ffff:169.254.169.254]/x.png", "http://[::127.0.0.1]/x.png", "http://[64:ff9b::a9fe:a9fe]/x.png", "http://[fc00::1]/x.png", "http://[febf::1]/x.png",
    "http://[fec0::1]/x.png", "http://[ff02::1]/x.png", "http://[2001:db8::1]/x.png", "http://[2002:a9fe:a9fe::1]/x.png", "http://[0:0:0:0:0:0:0:1]/x.png",
  ];
  for (const u of urls) cases.push({ ...json("/v1/answer", { question: q, image: { url: u } }, "4xx", `ssrf ${u}`), codes: ["blocked_url", "invalid_url", "invalid_image"] });

  // Wrong content types and methods.
  const types = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "image/png", "", "application/jsonx", "application/octet-stream"];
  for (const r of routes) for (const t of types) cases.push({ name: `${r} content-type ${JSON.stringify(t)}`, target: "edge", method: "POST", path: r, headers: t ? { "content-type": t } : {}, body: JSON.stringify({ texts: [q], question: q, image: img }), expect: "4xx" });
  for (const r of routes) for (const m of ["GET", "PUT", "DELETE", "PATCH"]) cases.push({ name: `${m} ${r}`, target: "edge", method: m, path: r, headers: {}, expect: "4xx" });
  for (const p of ["/models/sort-of-clevr/manifest.json", "/models/sort-of-clevr/heads/attention.onnx", "/_bench/text-encode", "/../../etc/passwd", "/v1/%00", "/v1/answer/../features/text", "/" + "a".repeat(5000)]) cases.push({ name: `GET ${p.slice(0, 40)}`, target: "edge", method: "GET", path: p, headers: {}, expect: "4xx" });

  // Bad fusion names ("" is the default; case and surrounding spaces do not matter: "CONCAT", "concat " are concat).
  for (const f of ["", "CONCAT", "concat ", "attention\u0000", "film", "../../etc", "__proto__", "constructor", "toString", "x".repeat(10000)]) {
    const expect = f === "" || f.trim().toLowerCase() === "concat" ? "ok-or-4xx" : "4xx";
    cases.push(json("/v1/answer", { question: q, image: img, fusion: f }, expect, `fusion ${JSON.stringify(f.slice(0, 20))}`));
  }
  for (const k of [0, -5, 13, 1e9, 2.5, "3"]) cases.push(json("/v1/answer", { question: q, image: img, topK: k }, k === "3" ? "ok-or-4xx" : "4xx"));

  // Bad auth (the suite runs the edge with AUTH_MODE=required).
  const authHeaders = [undefined, "", "Bearer", "Bearer ", "Bearer wrong-key", "Basic dXNlcjpwYXNz", "bearer  ", "Token hostile-suite-key", "Bearer hostile-suite-key extra", "Bearer " + "k".repeat(10000)];
  for (const r of routes) for (const h of authHeaders) {
    cases.push({ name: `${r} auth ${JSON.stringify(h?.slice(0, 30))}`, target: "edge", method: "POST", path: r, headers: { "content-type": "application/json", ...(h === undefined ? {} : { authorization: h }) }, body: JSON.stringify({ texts: [q], question: q, image: img }), expect: "4xx", auth: false });
  }

  // Seeded random mutations of a valid answer request.
  const r = rng(20261127);
  // The image is cut in half, so no mutation can turn this into a valid request.
  const valid = JSON.stringify({ question: q, image: { base64: PNG.subarray(0, PNG.length >> 1).toString("base64") }, fusion: "concat", topK: 2 });
  for (let i = 0; i < 120; i++) {
    const chars = valid.split("");
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 128));
    cases.push(json("/v1/answer", chars.join(""), "4xx", `mutation ${i}`));
  }
  return cases;
}
