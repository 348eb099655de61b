/**
 * The Sort-of-CLEVR answer path's view of the feature function: one image in, `pooled` and `grid`
 * out, through the generic FeatureClient (retries, deadline, per-model breaker, shape checks).
 */
import type { CircuitBreaker } from "./circuit-breaker";
import type { FeatureClient } from "./feature-client";

export interface ImageFeatures {
  readonly pooled: Float32Array; // [D_pooled]
  readonly grid: Float32Array; // [cells * D_grid]
}

export interface ImageFeaturesModel {
  readonly modelName: string;
  readonly version?: number;
  readonly inputName?: string;
  readonly pooledDim: number;
  readonly gridCells: number;
  readonly gridDim: number;
}

export class ImageFeaturesClient {
  constructor(
    private readonly client: FeatureClient,
    private readonly model: ImageFeaturesModel,
  ) {}

  get breaker(): CircuitBreaker {
    return this.client.breaker(this.model.modelName);
  }

  /** Features for one encoded image. Throws AppError 502/504/422 with a stable code. */
  async featurize(image: Uint8Array): Promise<ImageFeatures> {
    const { modelName, version, inputName, pooledDim, gridCells, gridDim } = this.model;
    const out = await this.client.featurize({
      model: modelName,
      version,
      kind: "image",
      bytes: image,
      inputName,
      outputs: [
        { name: "pooled", shape: [-1, pooledDim] },
        { name: "grid", shape: [-1, gridCells, gridDim] },
      ],
    });
    return { pooled: out.pooled!.data, grid: out.grid!.data };
  }
}
