/**
 * Builds the demo page's generated files into public/ (not committed; wrangler.toml's [build] runs
 * this before `wrangler dev` and `wrangler deploy`):
 *   public/app.js               functions/client/demo/main.ts bundled (typed client, page code, task generators)
 *   public/eval/<suite>.html    models/<suite>/EVAL.md rendered, so the page links a readable evaluation
 *                               (the Worker keeps /models/* private: model files are read internally only)
 *   public/eval/<suite>.json    models/<suite>/eval.json, the data behind the page's charts
 *   npx tsx scripts/build-demo.ts [--dev]   (--dev: unminified, for reading in devtools)
 */
import { build } from "esbuild";
import { marked } from "marked";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildDemo(opts: { minify?: boolean; quiet?: boolean } = {}): Promise<{ bytes: number; ms: number; evalPages: string[] }> {
  const t0 = performance.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["functions/client/demo/main.ts"],
    outfile: "public/app.js",
    bundle: true,
    format: "esm",
    // Browsers of the last few years (AbortController, FormData, canvas.toBlob, optional chaining).
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: opts.minify ?? true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  const bytes = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith("app.js"))?.[1].bytes ?? 0;
  const evalPages = buildEvalPages();
  const ms = performance.now() - t0;
  if (!opts.quiet) console.log(`[build-demo] public/app.js ${(bytes / 1024).toFixed(1)} KiB, eval pages: ${evalPages.join(", ") || "none"}, in ${ms.toFixed(0)} ms`);
  return { bytes, ms, evalPages };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function evalPage(suite: string, markdown: string): string {
  let n = 0;
  // Wide tables scroll inside a focusable region, so keyboard users can scroll them too.
  const body = marked
    .parse(markdown, { gfm: true, async: false })
    .replace(/<table>/g, () => `<div class="table-wrap" tabindex="0" role="region" aria-label="Table ${++n}"><table>`)
    .replace(/<\/table>/g, "</table></div>");
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1] ?? `${suite} evaluation`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>${escapeHtml(title)} · edgefuse</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/styles.css">
</head>
<body class="doc">
  <nav><a href="/">← Back to the demo</a> · <a href="/eval/${encodeURIComponent(suite)}.json">the data (eval.json)</a></nav>
  <main>
${body}
  </main>
  <footer><p>Rendered from <code>models/${escapeHtml(suite)}/EVAL.md</code> when the demo was built.</p></footer>
</body>
</html>
`;
}

/** Suites are the folders of models/ holding an EVAL.md or eval.json (the model repository is not one). */
function buildEvalPages(): string[] {
  const models = join(root, "models");
  const out = join(root, "public/eval");
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const suites = existsSync(models) ? readdirSync(models, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "repository" && d.name !== "triton") : [];
  for (const { name } of suites) {
    const md = join(models, name, "EVAL.md");
    const data = join(models, name, "eval.json");
    if (existsSync(md)) {
      writeFileSync(join(out, `${name}.html`), evalPage(name, readFileSync(md, "utf8")));
      written.push(`${name}.html`);
    }
    if (existsSync(data)) {
      JSON.parse(readFileSync(data, "utf8")); // a broken eval.json fails the build, not the page
      writeFileSync(join(out, `${name}.json`), readFileSync(data));
      written.push(`${name}.json`);
    }
  }
  // Stale pages go; the folder itself stays, so a dev server watching public/ never sees it missing.
  for (const f of readdirSync(out)) if (!written.includes(f)) rmSync(join(out, f), { force: true });
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDemo({ minify: !process.argv.includes("--dev") });
}
