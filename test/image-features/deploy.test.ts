// Deployment artefacts (functions/image-features/deploy): the KServe manifests and Dockerfiles
// agree with each other and with the code: images built by the Dockerfiles, ports, probe paths
// the real server answers, CLI arguments the real config parser accepts, the token wiring, sane
// autoscaling, and model names the edge is configured with that the servers actually serve.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { DEFAULTS, loadConfig } from "../../functions/image-features/config.js";
import { loadRepository } from "../../functions/image-features/repository/load.js";
import { type RunningServer, SERVER_VERSION } from "../../functions/image-features/server.js";
import { ROOT, start } from "./helpers.js";

const DEPLOY = resolve(ROOT, "functions/image-features/deploy");
type Doc = Record<string, unknown>;
const docs = (file: string): Doc[] => parseAllDocuments(readFileSync(resolve(DEPLOY, file), "utf8")).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Doc;
});
const at = (o: unknown, path: string): unknown => path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
const byKind = (list: Doc[], kind: string) => list.filter((d) => d.kind === kind);

const dockerfile = readFileSync(resolve(DEPLOY, "Dockerfile"), "utf8");
const tritonDockerfile = readFileSync(resolve(DEPLOY, "Dockerfile.triton"), "utf8");

/** The instructions of one stage of a multi-stage Dockerfile. */
function stage(src: string, name: string): string {
  const m = new RegExp(`^FROM \\S+ AS ${name}$([\\s\\S]*?)(?=^FROM |(?![\\s\\S]))`, "m").exec(src);
  if (!m) throw new Error(`no stage ${name}`);
  return m[1]!;
}

describe("Dockerfiles", () => {
  it.each(["cpu", "cuda"])("the %s image runs the bundled server offline, as a non-root user, with the models baked in", (variant) => {
    const s = stage(dockerfile, variant);
    expect(s).toMatch(/^COPY models\/repository \.\/models\/repository$/m);
    expect(s).toMatch(/IMAGE_FEATURES_REPOSITORY=\/app\/models\/repository/);
    expect(s).toMatch(/^USER (?!root)\w+$/m);
    expect(s).toMatch(/^EXPOSE 8080$/m);
    expect(s).toMatch(/IMAGE_FEATURES_PORT=8080/);
    expect(s).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    // Nothing in the final stage fetches anything: no RUN at all.
    expect(s).not.toMatch(/^RUN /m);
    expect(s).toMatch(variant === "cuda" ? /IMAGE_FEATURES_PROVIDER=cuda/ : /IMAGE_FEATURES_PROVIDER=cpu/);
  });

  it("pins the runtime's native modules to the versions the project is tested with", () => {
    const runtime = JSON.parse(readFileSync(resolve(DEPLOY, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(resolve(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    for (const [name, version] of Object.entries(runtime.dependencies)) expect(version, name).toBe(lock.packages[`node_modules/${name}`]?.version);
    expect(stage(dockerfile, "deps-cuda")).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(stage(dockerfile, "deps-cpu")).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
  });

  it("the Triton image copies the generated repository next to the files it links to", () => {
    expect(tritonDockerfile).toMatch(/^COPY models\/repository \/models\/repository$/m);
    expect(tritonDockerfile).toMatch(/^COPY models\/triton \/models\/triton$/m);
    expect(tritonDockerfile).toMatch(/pip install[^\n]*pillow/);
    expect(tritonDockerfile).toMatch(/--model-repository=\/models\/triton/);
  });
});

describe("KServe manifests", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it("feature function: a custom OIP predictor built from the Dockerfile, with the real CLI flags, ports, probes and token", async () => {
    const all = docs("kserve-feature-function.yaml");
    const [isvc] = byKind(all, "InferenceService");
    expect(isvc?.apiVersion).toBe("serving.kserve.io/v1beta1");
    const predictor = at(isvc, "spec.predictor") as Doc;
    const [container] = predictor.containers as Doc[];
    expect(container?.name).toBe("kserve-container");
    const image = String(container?.image);
    const m = /^edgefuse\/feature-function:(\d+\.\d+\.\d+)-(cpu|cuda)$/.exec(image);
    expect(m, image).not.toBeNull();
    expect(m![1]).toBe(SERVER_VERSION);
    expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${m![2]}$`, "m"));
    // The real config parser accepts the arguments (with the token the secret provides).
    const args = container?.args as string[];
    const config = loadConfig(args, { IMAGE_FEATURES_TOKEN: "x".repeat(32) });
    const [port] = container?.ports as { containerPort: number }[];
    expect(config.port).toBe(port?.containerPort);
    expect(config.host).toBe("0.0.0.0");
    expect(config.repositories).toEqual(["/app/models/repository"]);
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const p = at(container, `${probe}.httpGet`) as { path: string; port: number };
      expect(p.port).toBe(config.port);
      expect((await fetch(`${server.url}${p.path}`)).status, `${probe} ${p.path} on the real server`).toBe(200);
    }
    const token = (container?.env as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]).find((e) => e.name === "IMAGE_FEATURES_TOKEN");
    const [secret] = byKind(all, "Secret");
    expect(token?.valueFrom?.secretKeyRef?.name).toBe(at(secret, "metadata.name"));
    expect(Object.keys(at(secret, "stringData") as Doc)).toContain(token?.valueFrom?.secretKeyRef?.key);
    // Autoscaling: never to zero, target below the hard cap, the cap below the server's queue.
    expect(predictor.minReplicas).toBeGreaterThanOrEqual(1);
    expect(predictor.maxReplicas).toBeGreaterThanOrEqual(predictor.minReplicas as number);
    expect(predictor.scaleMetric).toBe("concurrency");
    expect(predictor.scaleTarget).toBeLessThanOrEqual(predictor.containerConcurrency as number);
    expect(predictor.containerConcurrency).toBeLessThanOrEqual(config.batching.maxQueue);
    expect(config.batching.maxQueue).toBe(DEFAULTS.batching.maxQueue);
  });

  it("Triton: a ServingRuntime with the Triton image and an InferenceService that uses it", () => {
    const all = docs("kserve-triton.yaml");
    const [runtime] = byKind(all, "ServingRuntime");
    const [isvc] = byKind(all, "InferenceService");
    expect(runtime?.apiVersion).toBe("serving.kserve.io/v1alpha1");
    expect(isvc?.apiVersion).toBe("serving.kserve.io/v1beta1");
    expect(at(isvc, "spec.predictor.model.runtime")).toBe(at(runtime, "metadata.name"));
    expect(at(isvc, "spec.predictor.model.modelFormat.name")).toBe("triton");
    expect(at(isvc, "spec.predictor.model.protocolVersion")).toBe("v2");
    expect((at(runtime, "spec.supportedModelFormats") as { name: string }[]).map((f) => f.name)).toContain("triton");
    const [container] = at(runtime, "spec.containers") as Doc[];
    expect(String(container?.image)).toMatch(new RegExp(`^edgefuse/triton:${SERVER_VERSION.replace(/\./g, "\\.")}$`));
    const args = container?.args as string[];
    expect(args[0]).toBe("tritonserver");
    const httpPort = Number(/^--http-port=(\d+)$/.exec(args.find((a) => a.startsWith("--http-port=")) ?? "")?.[1]);
    expect((container?.ports as { containerPort: number }[])[0]?.containerPort).toBe(httpPort);
    expect(args).toContain("--strict-model-config=true");
    expect(String(at(isvc, "spec.predictor.model.readinessProbe.httpGet.path"))).toBe("/v2/health/ready");
  });

  it("serves the model names the edge is configured with", async () => {
    const served = new Set((await loadRepository(resolve(ROOT, "models/repository"))).flatMap((m) => [m.config.name, ...m.config.aliases]));
    // The edge calls the remote encoders its suite manifests name (and, in older configurations, IMAGE_FEATURES_MODEL).
    const wrangler = readFileSync(resolve(ROOT, "wrangler.toml"), "utf8");
    const fromWrangler = [...wrangler.matchAll(/^IMAGE_FEATURES_MODEL\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!);
    for (const n of fromWrangler) expect(served.has(n), `wrangler.toml IMAGE_FEATURES_MODEL = "${n}"`).toBe(true);
    const fromSuites: string[] = [];
    for (const suite of readdirSync(resolve(ROOT, "models"))) {
      const path = resolve(ROOT, "models", suite, "manifest.json");
      if (!existsSync(path)) continue;
      const manifest = JSON.parse(readFileSync(path, "utf8")) as { modalities?: { encoder?: { runs?: string; model?: string } }[] };
      for (const m of manifest.modalities ?? []) if (m.encoder?.runs === "remote" && m.encoder.model) fromSuites.push(m.encoder.model);
    }
    expect(fromSuites).toContain("soc-image");
    for (const n of fromSuites) {
      // Served by name (not only by alias) by the Node function, and an ensemble of that name on Triton.
      expect(served.has(n), `suite model ${n} on the feature function`).toBe(true);
      expect(existsSync(resolve(ROOT, "models/triton", n, "config.pbtxt")), `suite model ${n} on Triton`).toBe(true);
    }
  });
});
