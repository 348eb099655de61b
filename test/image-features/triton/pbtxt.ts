/**
 * A protobuf text-format parser and a schema validator, enough to check Triton's config.pbtxt
 * files the way Triton reads them (field names, types, enums, repeated/map fields, oneofs).
 * Written for the tests; the schema it checks against is model-config-schema.ts (embedded), and,
 * when ../shared/vendor is present, Triton's own model_config.proto (proto-schema.ts).
 */

export type Scalar = { kind: "string"; value: string } | { kind: "number"; value: number; text: string } | { kind: "ident"; value: string };
export type Value = Scalar | { kind: "message"; fields: Field[] };
export interface Field {
  name: string;
  value: Value;
  line: number;
}

export class PbtxtError extends Error {}

interface Token {
  type: "ident" | "string" | "number" | "punct";
  text: string;
  line: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") line++;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if ("{}[]:,;<>".includes(c)) {
      out.push({ type: "punct", text: c, line });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\n") throw new PbtxtError(`line ${line}: unterminated string`);
        if (src[j] === "\\") {
          const e = src[j + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\" };
          if (e === undefined || !(e in map)) throw new PbtxtError(`line ${line}: unsupported escape \\${e}`);
          s += map[e];
          j += 2;
          continue;
        }
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new PbtxtError(`line ${line}: unterminated string`);
      out.push({ type: "string", text: s, line });
      i = j + 1;
      continue;
    }
    const m = /^(-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|[A-Za-z_][A-Za-z0-9_.]*)/.exec(src.slice(i));
    if (!m) throw new PbtxtError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    out.push({ type: /^[-\d.]/.test(m[0]) ? "number" : "ident", text: m[0], line });
    i += m[0].length;
  }
  return out;
}

/** Parse a text-format message (the whole file is the body of the top-level message). */
export function parsePbtxt(src: string): Field[] {
  const tokens = tokenize(src);
  let at = 0;
  const peek = () => tokens[at];
  const next = () => {
    const t = tokens[at++];
    if (!t) throw new PbtxtError("unexpected end of input");
    return t;
  };
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text || t.type === "string") throw new PbtxtError(`line ${t.line}: expected "${text}", got "${t.text}"`);
  };

  function scalar(t: Token): Scalar {
    if (t.type === "string") {
      let s = t.text;
      while (peek()?.type === "string") s += next().text; // adjacent strings concatenate
      return { kind: "string", value: s };
    }
    if (t.type === "number") return { kind: "number", value: Number(t.text), text: t.text };
    if (t.type === "ident") return { kind: "ident", value: t.text };
    throw new PbtxtError(`line ${t.line}: expected a value, got "${t.text}"`);
  }

  function messageBody(close: string): Field[] {
    const fields: Field[] = [];
    for (;;) {
      const t = peek();
      if (!t) {
        if (close === "") return fields;
        throw new PbtxtError(`missing "${close}"`);
      }
      if (t.type === "punct" && t.text === close) {
        next();
        return fields;
      }
      if (t.type === "punct" && (t.text === "," || t.text === ";")) {
        next();
        continue;
      }
      const name = next();
      if (name.type !== "ident") throw new PbtxtError(`line ${name.line}: expected a field name, got "${name.text}"`);
      let colon = false;
      if (peek()?.text === ":" && peek()?.type === "punct") {
        next();
        colon = true;
      }
      const v = peek();
      if (!v) throw new PbtxtError(`line ${name.line}: field ${name.text} has no value`);
      if (v.type === "punct" && v.text === "[") {
        next();
        // A list: of messages or of scalars.
        for (;;) {
          const item = peek();
          if (!item) throw new PbtxtError(`line ${name.line}: unterminated list`);
          if (item.type === "punct" && item.text === "]") {
            next();
            break;
          }
          if (item.type === "punct" && item.text === ",") {
            next();
            continue;
          }
          fields.push({ name: name.text, value: value(), line: item.line });
        }
        continue;
      }
      if (!colon && !(v.type === "punct" && (v.text === "{" || v.text === "<"))) throw new PbtxtError(`line ${name.line}: expected ":" after ${name.text}`);
      fields.push({ name: name.text, value: value(), line: name.line });
    }
  }

  function value(): Value {
    const t = next();
    if (t.type === "punct" && (t.text === "{" || t.text === "<")) return { kind: "message", fields: messageBody(t.text === "{" ? "}" : ">") };
    return scalar(t);
  }

  return messageBody("");
}

// ------------------------------------------------------------------------------ schema -------

export type FieldType =
  | { kind: "scalar"; type: "string" | "bool" | "int32" | "int64" | "uint32" | "uint64" | "float" | "double" | "bytes" }
  | { kind: "enum"; name: string }
  | { kind: "message"; name: string }
  | { kind: "map"; key: string; value: FieldType };

export interface FieldSpec {
  type: FieldType;
  repeated: boolean;
  oneof?: string;
}

export interface Schema {
  messages: Record<string, Record<string, FieldSpec>>;
  enums: Record<string, string[]>;
}

const INT = /^-?\d+$/;

function checkScalar(type: string, v: Value, where: string): string | undefined {
  if (type === "string" || type === "bytes") return v.kind === "string" ? undefined : `${where}: expected a string`;
  if (type === "bool") return v.kind === "ident" && ["true", "false"].includes(v.value) ? undefined : `${where}: expected true or false`;
  if (v.kind !== "number") return `${where}: expected a number`;
  if (type === "float" || type === "double") return undefined;
  if (!INT.test(v.text)) return `${where}: expected an integer, got ${v.text}`;
  if (type.startsWith("uint") && v.value < 0) return `${where}: expected an unsigned integer`;
  if (type.endsWith("32") && Math.abs(v.value) > 2 ** 32) return `${where}: out of 32-bit range`;
  return undefined;
}

/** Validate fields of message `name`; returns every problem found (empty = valid). */
export function validate(fields: Field[], schema: Schema, name: string, where = name): string[] {
  const spec = schema.messages[name];
  if (!spec) return [`${where}: unknown message type ${name}`];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  const oneofs = new Map<string, string>();
  for (const f of fields) {
    const at = `${where}.${f.name} (line ${f.line})`;
    const fs = spec[f.name];
    if (!fs) {
      errors.push(`${at}: no field "${f.name}" in ${name}`);
      continue;
    }
    seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
    if (fs.oneof) {
      const other = oneofs.get(fs.oneof);
      if (other && other !== f.name) errors.push(`${at}: ${f.name} and ${other} are in the same oneof ${fs.oneof}`);
      oneofs.set(fs.oneof, f.name);
    }
    errors.push(...validateValue(f.value, fs.type, schema, at));
  }
  for (const [field, count] of seen) {
    const fs = spec[field]!;
    if (count > 1 && !fs.repeated && fs.type.kind !== "map") errors.push(`${where}.${field}: not repeated, given ${count} times`);
  }
  return errors;
}

function validateValue(v: Value, type: FieldType, schema: Schema, at: string): string[] {
  if (type.kind === "scalar") {
    const e = checkScalar(type.type, v, at);
    return e ? [e] : [];
  }
  if (type.kind === "enum") {
    const values = schema.enums[type.name];
    if (!values) return [`${at}: unknown enum ${type.name}`];
    if (v.kind === "ident" && values.includes(v.value)) return [];
    if (v.kind === "number" && INT.test(v.text)) return [];
    return [`${at}: ${v.kind === "ident" ? v.value : JSON.stringify(v)} is not a ${type.name} (${values.join(", ")})`];
  }
  if (type.kind === "message") {
    if (v.kind !== "message") return [`${at}: expected a ${type.name} message`];
    return validate(v.fields, schema, type.name, at);
  }
  // map entry: { key: K value: V }
  if (v.kind !== "message") return [`${at}: expected a map entry { key: ... value: ... }`];
  const errors: string[] = [];
  const key = v.fields.filter((f) => f.name === "key");
  const val = v.fields.filter((f) => f.name === "value");
  const extra = v.fields.filter((f) => f.name !== "key" && f.name !== "value");
  if (key.length !== 1) errors.push(`${at}: a map entry needs exactly one key`);
  if (val.length > 1) errors.push(`${at}: a map entry has at most one value`);
  for (const e of extra) errors.push(`${at}: map entries have only key and value, not ${e.name}`);
  if (key[0]) {
    const e = checkScalar(type.key, key[0].value, `${at}.key`);
    if (e) errors.push(e);
  }
  if (val[0]) errors.push(...validateValue(val[0].value, type.value, schema, `${at}.value`));
  return errors;
}

/** The values of a field path, e.g. get(fields, "input") -> every input message. */
export function get(fields: Field[], name: string): Value[] {
  return fields.filter((f) => f.name === name).map((f) => f.value);
}

export function str(fields: Field[], name: string): string | undefined {
  const v = get(fields, name)[0];
  return v && (v.kind === "string" || v.kind === "ident") ? v.value : v?.kind === "number" ? v.text : undefined;
}

export function sub(fields: Field[], name: string): Field[][] {
  return get(fields, name).flatMap((v) => (v.kind === "message" ? [v.fields] : []));
}

export function nums(fields: Field[], name: string): number[] {
  return get(fields, name).flatMap((v) => (v.kind === "number" ? [v.value] : []));
}
