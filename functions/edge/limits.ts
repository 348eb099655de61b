/**
 * Request limits and the fusion method names: plain constants with no imports, shared by request
 * validation, the zod schemas and (through type-only imports) the typed client.
 */
export const MAX_TEXTS = 64;
export const MAX_TEXT_CHARS = 4096;
export const MAX_BATCH_QUESTIONS = 32;
export const MAX_TOP_K = 12;
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export const FUSION_METHODS = ["concat", "sum", "product", "bilinear", "attention"] as const;
export type FusionMethod = (typeof FUSION_METHODS)[number];
