/** A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF) for the examples file. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new Error("CSV ends inside a quoted field");
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ""));
  const [head, ...body] = nonEmpty;
  if (!head) throw new Error("CSV is empty");
  const cols = head.map((h) => h.trim());
  return body.map((r, i) => {
    if (r.length !== cols.length) throw new Error(`CSV row ${i + 2}: ${r.length} fields, the header has ${cols.length}`);
    return Object.fromEntries(cols.map((c, j) => [c, r[j]!]));
  });
}
