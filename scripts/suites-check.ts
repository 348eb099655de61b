/**
 * Validates every suite under models/ (models/<id>/manifest.json against the v2 schema, and every
 * file it lists: size and sha256, remote encoders in models/repository/). Exits 1 on any problem.
 * Usage: npx tsx scripts/suites-check.ts [--models models]      (npm run suites:check; part of npm run build)
 */
import { checkSuiteFiles, readSuiteManifest, suiteDirs } from "../functions/suites/node";
import { SuiteManifestError } from "../functions/suites/manifest";

const at = process.argv.indexOf("--models");
const modelsDir = at >= 0 ? process.argv[at + 1] ?? "models" : "models";
const dirs = suiteDirs(modelsDir);
let failed = 0;
if (dirs.length === 0) {
  console.error(`no suites found under ${modelsDir}/ (expected ${modelsDir}/<id>/manifest.json)`);
  process.exit(1);
}
for (const dir of dirs) {
  try {
    const m = readSuiteManifest(dir);
    const problems = checkSuiteFiles(dir, m, modelsDir);
    if (problems.length) {
      failed++;
      console.error(`✗ ${dir}\n  - ${problems.join("\n  - ")}`);
    } else {
      console.log(`✓ ${m.id} ${m.version}: ${m.modalities.map((x) => `${x.name} (${x.kind}, ${x.encoder.runs}${x.required ? "" : ", optional"})`).join(", ")}; heads ${m.heads.map((h) => h.fusion).join(", ")}`);
    }
  } catch (err) {
    failed++;
    console.error(err instanceof SuiteManifestError ? `✗ ${err.message}` : `✗ ${dir}: ${(err as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
