/**
 * Bundles the demo page (functions/client/demo/main.ts: the typed client, the page code and the
 * Sort-of-CLEVR generator) into public/app.js for the browser. The output is generated, not
 * committed: wrangler.toml's [build] runs this before `wrangler dev` and `wrangler deploy`.
 *   npx tsx scripts/build-demo.ts [--dev]   (--dev: unminified, for reading in devtools)
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildDemo(opts: { minify?: boolean; quiet?: boolean } = {}): Promise<{ bytes: number; ms: number }> {
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
  const ms = performance.now() - t0;
  if (!opts.quiet) console.log(`[build-demo] public/app.js ${(bytes / 1024).toFixed(1)} KiB in ${ms.toFixed(0)} ms`);
  return { bytes, ms };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDemo({ minify: !process.argv.includes("--dev") });
}
