/**
 * Reports the size of the Worker bundle written by `wrangler deploy --dry-run --outdir <dir>`,
 * raw and gzipped (what Cloudflare's size limit counts), and fails above the budget.
 * Usage: tsx scripts/bundle-size.ts dist [--json out.json]
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 5 * 1024 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const dir = process.argv[2] ?? "dist";
const rows = files(dir)
  .filter((p) => !p.endsWith(".map") && !p.endsWith("README.md"))
  .map((p) => {
    const data = readFileSync(p);
    return { file: p, raw: data.byteLength, gzip: gzipSync(data, { level: 9 }).byteLength };
  });
const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
for (const r of rows) console.log(`${r.file.padEnd(60)} ${mib(r.raw).padStart(10)} raw ${mib(r.gzip).padStart(10)} gzip`);
console.log(`${"total".padEnd(60)} ${mib(total.raw).padStart(10)} raw ${mib(total.gzip).padStart(10)} gzip (budget ${mib(BUDGET_GZIP_BYTES)})`);
const jsonAt = process.argv.indexOf("--json");
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify({ ...total, files: rows }, null, 2));
if (total.gzip > BUDGET_GZIP_BYTES) {
  console.error(`bundle is over budget: ${mib(total.gzip)} gzipped > ${mib(BUDGET_GZIP_BYTES)}`);
  process.exit(1);
}
