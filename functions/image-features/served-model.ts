/**
 * One served model: its repository entry, preprocessing module, encoder (worker thread), batcher,
 * admission limit, metrics labels and OIP metadata. The server holds one per repository model.
 */
import { Batcher } from "./batcher.js";
import type { Signature } from "./codec.js";
import type { Config } from "./config.js";
import { createEncoder, type Encoder } from "./encoder.js";
import { Admission } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { createPreprocessor, type ItemPreprocessor } from "./preprocess/index.js";
import { warmupItem } from "./preprocess/warmup.js";
import type { ModelMetadata } from "./protocol.js";
import type { RepositoryModel } from "./repository/load.js";

/** The BYTES input every served model takes (the edge and the Triton ensemble use this name). */
export const BYTES_INPUT = "input";

export interface ServedModel {
  readonly name: string;
  readonly repo: RepositoryModel;
  /** Integer version, as a string, for URLs and responses. */
  readonly version: string;
  readonly signature: Signature;
  readonly preprocessor: ItemPreprocessor;
  readonly encoder: Encoder;
  readonly batcher: Batcher;
  readonly admission: Admission;
  /** Requests admitted but not yet in the batch queue (being received or decoded). */
  readonly arriving: { count: number };
  readonly maxBatchSize: number;
  readonly labels: { model: string };
  metadata(): ModelMetadata;
}

export async function startServedModel(repo: RepositoryModel, config: Config, metrics: Metrics): Promise<ServedModel> {
  const c = repo.config;
  const preprocessor = createPreprocessor(c.preprocess, { maxPixels: config.limits.maxPixels });
  const encoder = await createEncoder(repo, config.provider, config.intraOpThreads);
  // The server-wide flag caps every model's own batch size.
  const maxBatchSize = Math.min(c.maxBatchSize, config.batching.maxBatchSize);
  const labels = { model: c.name };
  const arriving = { count: 0 };
  const batcher = new Batcher(
    { maxBatchSize, maxQueueDelayMs: config.batching.maxQueueDelayMs, ...(config.batching.adaptiveDelay ? { arriving: () => arriving.count } : {}) },
    (batch, count) => encoder.run(batch, count),
    {
      onBatch: (size, seconds) => {
        metrics.batchSize.observe(size, labels);
        metrics.inferenceSeconds.observe(seconds, labels);
      },
      onDequeue: (seconds) => metrics.queueSeconds.observe(seconds, labels),
    },
  );
  const admission = new Admission(config.batching.maxQueue);
  const version = String(repo.served.version);
  metrics.addModel({
    labels,
    info: { provider: encoder.provider, model_id: c.name, version, human_version: repo.served.humanVersion },
    queueDepthRequests: () => batcher.depthRequests,
    queueDepthImages: () => batcher.depthImages,
    inflightRequests: () => admission.inflight,
  });
  // One synthetic item through preprocessing and a batch of one, before the server reports ready:
  // the first real request then costs what later ones do (no cold decode/resize code paths).
  const warm = new Float32Array(preprocessor.itemSize);
  await preprocessor.prepare(await warmupItem(c.preprocess), 0, warm);
  await encoder.run(warm, 1);
  const signature: Signature = { bytesInputName: BYTES_INPUT, tensorInputName: c.input.name, itemShape: c.input.shape.slice(1), outputs: c.outputs };

  return {
    name: c.name,
    repo,
    version,
    signature,
    preprocessor,
    encoder,
    batcher,
    admission,
    arriving,
    maxBatchSize,
    labels,
    metadata(): ModelMetadata {
      return {
        name: c.name,
        versions: [version],
        platform: "onnxruntime_onnx",
        // [-1, 1]: one encoded item per batch entry, exactly what the Triton ensemble declares.
        inputs: [{ name: BYTES_INPUT, datatype: "BYTES", shape: [-1, 1] }],
        outputs: c.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape })),
        // The spec's $parameters: scalars only (structured values are JSON strings).
        parameters: {
          human_version: repo.served.humanVersion,
          sha256: repo.served.sha256,
          ...(c.description ? { description: c.description } : {}),
          ...(c.aliases.length ? { aliases: c.aliases.join(",") } : {}),
          execution_provider: encoder.provider,
          ...(encoder.fallbackReason ? { execution_provider_note: encoder.fallbackReason } : {}),
          max_batch_size: maxBatchSize,
          max_queue_delay_ms: config.batching.maxQueueDelayMs,
          adaptive_delay: config.batching.adaptiveDelay,
          max_items_per_request: config.limits.maxImages,
          tensor_input: JSON.stringify({ name: c.input.name, datatype: "FP32", shape: c.input.shape }),
          ...preprocessor.describe(),
        },
      };
    },
  };
}
