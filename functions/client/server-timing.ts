/** Parses a Server-Timing header ("text;dur=1.2, fuse;dur=0.3") into { text: 1.2, fuse: 0.3 }. */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!header) return out;
  for (const entry of header.split(",")) {
    const [name, ...params] = entry.trim().split(";");
    if (!name) continue;
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    const ms = dur ? Number(dur.slice(4)) : NaN;
    // Repeated stages add up, as the server's own `timings` object does.
    if (Number.isFinite(ms)) out[name] = (out[name] ?? 0) + ms;
  }
  return out;
}
