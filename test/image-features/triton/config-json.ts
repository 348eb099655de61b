/** A parsed config.pbtxt as the JSON Triton hands a Python model (args["model_config"]). */
import { type Field, type FieldType, type Schema, type Value } from "./pbtxt.js";

function convert(v: Value, type: FieldType, schema: Schema): unknown {
  if (type.kind === "message" && v.kind === "message") return toJson(v.fields, schema, type.name);
  if (v.kind === "message") return null;
  if (v.kind === "number") return type.kind === "scalar" && /int64/.test(type.type) ? v.text : v.value; // protobuf JSON: int64 as strings
  if (v.kind === "ident" && type.kind === "scalar" && type.type === "bool") return v.value === "true";
  return v.value;
}

export function toJson(fields: Field[], schema: Schema, message = "ModelConfig"): Record<string, unknown> {
  const spec = schema.messages[message] ?? {};
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const fs = spec[f.name];
    if (!fs) continue;
    if (fs.type.kind === "map") {
      const entry = f.value.kind === "message" ? f.value.fields : [];
      const key = entry.find((e) => e.name === "key")?.value;
      const value = entry.find((e) => e.name === "value")?.value;
      const map = (out[f.name] ??= {}) as Record<string, unknown>;
      if (key && key.kind !== "message" && value) map[String(key.value)] = convert(value, fs.type.value, schema);
    } else if (fs.repeated) {
      ((out[f.name] ??= []) as unknown[]).push(convert(f.value, fs.type, schema));
    } else {
      out[f.name] = convert(f.value, fs.type, schema);
    }
  }
  return out;
}
