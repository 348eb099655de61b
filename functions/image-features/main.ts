/**
 * CLI entry: `tsx functions/image-features/main.ts [--repository models/repository] [--port 8081] [--host 127.0.0.1] [--insecure-local]`.
 * Prints exactly one "image-features ready on <url> ..." line on stdout when it can serve, so start
 * scripts can wait for it; logs go to stderr. SIGTERM/SIGINT drain in-flight work, then exit 0.
 */
import { ConfigError, loadConfig, USAGE } from "./config.js";
import { RepositoryError } from "./repository/load.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig(argv, process.env);
  const server = await startServer(config);
  // One line, "image-features ready on <url> (models a, b; providers cpu)": start scripts wait for it.
  const providers = [...new Set(Object.values(server.providers))].join(", ");
  process.stdout.write(`image-features ready on ${server.url} (models ${server.models.join(", ")}; provider ${providers})\n`);
  if (!config.auth.enabled) process.stderr.write("WARNING: auth is off (--insecure-local); loopback only\n");

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": skip draining.
    if (++signals > 1) process.exit(130);
    process.stderr.write(`received ${signal}\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof RepositoryError;
  process.stderr.write(`image-features failed to start: ${expected ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(2);
});
