/**
 * Reads a .proto file (proto3: messages, nested messages and enums, oneofs, repeated and map
 * fields) into the Schema that pbtxt.ts validates against. Used to check the embedded schema
 * (model-config-schema.ts) against Triton's own model_config.proto when ../shared/vendor has it.
 */
import type { FieldSpec, FieldType, Schema } from "./pbtxt.js";

const SCALARS = new Set(["string", "bool", "int32", "int64", "uint32", "uint64", "float", "double", "bytes", "sint32", "sint64", "fixed32", "fixed64"]);

export function parseProto(src: string): Schema {
  const text = src.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const tokens = text.match(/map\s*<[^>]*>|[A-Za-z_][A-Za-z0-9_.]*|\d+|[{}=;]/g) ?? [];
  const schema: Schema = { messages: {}, enums: {} };
  const raw: { scope: string[]; message: string; name: string; type: string; repeated: boolean; oneof?: string }[] = [];
  const stack: { kind: "message" | "enum" | "oneof" | "other"; name: string }[] = [];
  const scopeNames = () => stack.filter((s) => s.kind === "message" || s.kind === "enum").map((s) => s.name);
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t === "message" || t === "enum" || t === "oneof") {
      const name = tokens[i + 1]!;
      stack.push({ kind: t, name });
      if (t === "message") schema.messages[[...scopeNames()].join(".")] = {};
      if (t === "enum") schema.enums[[...scopeNames()].join(".")] = [];
      i += 3; // name {
      continue;
    }
    if (t === "}") {
      stack.pop();
      i++;
      continue;
    }
    if (t === "syntax" || t === "package" || t === "option" || t === "import" || t === "reserved") {
      while (tokens[i] !== ";") i++;
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top?.kind === "enum") {
      schema.enums[scopeNames().join(".")]!.push(t);
      while (tokens[i] !== ";") i++;
      i++;
      continue;
    }
    // A field: [repeated] type name = number ;
    let repeated = false;
    let j = i;
    if (tokens[j] === "repeated" || tokens[j] === "optional") {
      repeated = tokens[j] === "repeated";
      j++;
    }
    const type = tokens[j]!;
    const name = tokens[j + 1]!;
    const message = stack.filter((s) => s.kind === "message").map((s) => s.name);
    const oneof = top?.kind === "oneof" ? top.name : undefined;
    raw.push({ scope: message, message: message.join("."), name, type: type.replace(/\s+/g, ""), repeated, ...(oneof ? { oneof } : {}) });
    while (tokens[j] !== ";") j++;
    i = j + 1;
  }
  // Resolve type names from the innermost scope outwards, as protoc does.
  const resolveName = (scope: string[], name: string): FieldType => {
    if (SCALARS.has(name)) return { kind: "scalar", type: name.replace(/^s?fixed|^sint/, "int") as "int32" };
    for (let k = scope.length; k >= 0; k--) {
      const full = [...scope.slice(0, k), name].join(".");
      if (schema.messages[full]) return { kind: "message", name: full };
      if (schema.enums[full]) return { kind: "enum", name: full };
    }
    throw new Error(`unresolved type ${name} in ${scope.join(".")}`);
  };
  for (const f of raw) {
    let type: FieldType;
    const map = /^map<(\w+),([\w.]+)>$/.exec(f.type);
    if (map) type = { kind: "map", key: map[1]!, value: resolveName(f.scope, map[2]!) };
    else type = resolveName(f.scope, f.type);
    const spec: FieldSpec = { type, repeated: f.repeated, ...(f.oneof ? { oneof: f.oneof } : {}) };
    schema.messages[f.message]![f.name] = spec;
  }
  return schema;
}
