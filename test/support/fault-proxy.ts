/**
 * A programmable proxy between the edge (under test) and the real image-feature server, for fault
 * injection: pass through, refuse (reset the connection), hang, answer slowly, 5xx, garbage bytes,
 * a well-formed response with wrong dims or NaN values, Triton's 400s for a contract mismatch, an
 * explicit rejection of the image. `POST /_fault` sets the mode;
 * `GET /_fault` reports how many infer requests arrived and how many were forwarded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultMode =
  | "pass" | "refuse" | "hang" | "slow" | "500" | "503-once" | "garbage" | "bad-json" | "wrong-dims" | "nan" | "401"
  // Answers the way Triton does when the edge and the model repository disagree (HTTP 400, message only):
  | "triton-datatype" | "triton-shape" | "triton-unknown-model"
  // This project's feature function rejecting the image itself (its stable input code):
  | "corrupt-image";

/** Triton's error bodies (core/src/infer_request.cc wording) for contract mismatches. */
const TRITON_ERRORS: Record<string, string> = {
  "triton-datatype": "unexpected datatype TYPE_FP32 for inference input 'image', expecting TYPE_STRING",
  "triton-shape": "[request id: <id_unknown>] unexpected shape for input 'image' for model 'soc-image'. Expected [-1,3,75,75], got [1,1]. ",
  "triton-unknown-model": "Request for unknown model: 'soc-image' is not found",
};

export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function binaryResponse(res: ServerResponse, pooled: Float32Array, pooledShape: number[], grid: Float32Array, gridShape: number[]): void {
  const header = Buffer.from(
    JSON.stringify({
      model_name: "image-encoder",
      outputs: [
        { name: "pooled", datatype: "FP32", shape: pooledShape, parameters: { binary_data_size: pooled.byteLength } },
        { name: "grid", datatype: "FP32", shape: gridShape, parameters: { binary_data_size: grid.byteLength } },
      ],
    }),
  );
  res.writeHead(200, { "content-type": "application/octet-stream", "inference-header-content-length": String(header.byteLength) });
  res.end(Buffer.concat([header, Buffer.from(pooled.buffer), Buffer.from(grid.buffer)]));
}

export async function startFaultProxy(upstream: string, dims: { pooled: number; cells: number; grid: number }, slowMs: number, listenPort = 0): Promise<FaultProxy> {
  let mode: FaultMode = "pass";
  let received = 0;
  let forwarded = 0;
  const hanging = new Set<ServerResponse>();

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    forwarded++;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    const up = await fetch(upstream + req.url, { method: req.method, headers, body: req.method === "POST" ? new Blob([new Uint8Array(body)]) : undefined });
    const out = Buffer.from(await up.arrayBuffer());
    const h: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (k !== "content-length" && k !== "transfer-encoding" && k !== "connection") h[k] = v;
    });
    res.writeHead(up.status, h);
    res.end(out);
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (req.url === "/_fault") {
        if (req.method === "POST") {
          const next = JSON.parse(body.toString()) as { mode: FaultMode };
          mode = next.mode;
          received = 0;
          forwarded = 0;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ mode, received, forwarded }));
        return;
      }
      if (!req.url?.endsWith("/infer")) return void (await forward(req, res, body));
      received++;
      switch (mode) {
        case "pass":
          return void (await forward(req, res, body));
        case "refuse":
          req.socket.destroy();
          return;
        case "hang":
          hanging.add(res);
          return;
        case "slow":
          await new Promise((r) => setTimeout(r, slowMs));
          return void (await forward(req, res, body));
        case "500":
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "injected failure" }));
          return;
        case "503-once":
          if (received === 1) {
            res.writeHead(503, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: "injected unavailability" }));
            return;
          }
          return void (await forward(req, res, body));
        case "401":
          res.writeHead(401, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "unauthorized" }));
          return;
        case "triton-datatype":
        case "triton-shape":
        case "triton-unknown-model":
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: TRITON_ERRORS[mode] }));
          return;
        case "corrupt-image":
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "image 0 is not a valid png (corrupt or truncated)", code: "corrupt_image" }));
          return;
        case "garbage":
          res.writeHead(200, { "content-type": "application/octet-stream", "inference-header-content-length": "7" });
          res.end(Buffer.from("\u0000\u0001garbage-bytes-that-are-not-a-protocol-response"));
          return;
        case "bad-json":
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"outputs": [{"name": "pooled", "datatype": "FP32", "shape": [1, 2], "data": [1]}');
          return;
        case "wrong-dims":
          return binaryResponse(res, new Float32Array(dims.pooled - 1), [1, dims.pooled - 1], new Float32Array(dims.cells * dims.grid), [1, dims.cells, dims.grid]);
        case "nan": {
          const pooled = new Float32Array(dims.pooled).fill(0.5);
          pooled[3] = NaN;
          return binaryResponse(res, pooled, [1, dims.pooled], new Float32Array(dims.cells * dims.grid), [1, dims.cells, dims.grid]);
        }
      }
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(listenPort, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
