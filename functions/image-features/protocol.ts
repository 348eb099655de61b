/**
 * Open Inference Protocol (KServe v2 REST) types used by this server, and its error shape.
 * Errors are `{"error": "<message>"}` as the protocol says, plus a stable machine-readable `code`.
 */

export type Parameters = Record<string, string | number | boolean>;

/** One input tensor of an infer request, as sent in JSON. `data` is checked later, per datatype. */
export interface RequestInput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Parameters;
  data?: unknown;
}

export interface RequestOutput {
  name: string;
  parameters?: Parameters;
}

export interface InferRequestHeader {
  id?: string;
  parameters?: Parameters;
  inputs: RequestInput[];
  outputs?: RequestOutput[];
}

export interface ResponseOutput {
  name: string;
  datatype: "FP32";
  shape: number[];
  parameters?: Parameters;
  data?: number[];
}

export interface InferResponseHeader {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: Parameters;
  outputs: ResponseOutput[];
}

export interface MetadataTensor {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Parameters;
}

/** Model metadata; `versions` are integer versions as strings, `parameters` scalars (the spec's $parameters). */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
  parameters: Parameters;
}

/** Header of the binary tensor data extension (Triton/KServe): JSON length, then raw tensor bytes. */
export const BINARY_HEADER = "inference-header-content-length";

/** Stable error codes; clients branch on these, never on messages. */
export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "invalid_binary"
  | "unknown_model"
  | "unknown_model_version"
  | "unknown_input"
  | "unknown_output"
  | "missing_input"
  | "wrong_datatype"
  | "wrong_shape"
  | "invalid_base64"
  | "unsupported_content_type"
  | "unsupported_image_format"
  | "corrupt_image"
  | "unsupported_audio_format"
  | "unsupported_audio_encoding"
  | "corrupt_audio"
  | "unsupported_sample_rate"
  | "audio_too_short"
  | "audio_too_long"
  | "image_too_large"
  | "too_many_images"
  | "body_too_large"
  | "missing_token"
  | "invalid_token"
  | "not_found"
  | "method_not_allowed"
  | "queue_full"
  | "timeout"
  | "not_ready"
  | "shutting_down"
  | "internal";

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: string;
  code: ErrorCode;
}

export function errorBody(err: ProtocolError): ErrorBody {
  return { error: err.message, code: err.code };
}

/** Server-side failures keep their details in the log, not in the response. */
export function toProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return new ProtocolError(500, "internal", "internal server error");
}
