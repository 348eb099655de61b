/**
 * Validate a suite folder against the v2 manifest schema (functions/suites) and check every file's
 * size and sha256, the remote encoders' files included.   npx tsx scripts/train/check-suite.ts models/sort-of-clevr
 */
import { dirname } from "node:path";
import { checkSuiteFiles, readSuiteManifest } from "../../functions/suites/node";

const dir = process.argv[2];
if (!dir) throw new Error("usage: check-suite.ts <suite-dir>");
const manifest = readSuiteManifest(dir);
const problems = checkSuiteFiles(dir, manifest, dirname(dir));
if (problems.length) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`${dir}: manifest v${manifest.schemaVersion} ${manifest.id}@${manifest.version} valid; ${manifest.heads.length} heads; every file's size and sha256 match`);
