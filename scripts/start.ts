/**
 * `npm start`: the local stack with one command. Starts the image-feature function (when present)
 * on 127.0.0.1:$IMAGE_FEATURES_PORT (8081) and the edge Worker under `wrangler dev` on
 * 127.0.0.1:$PORT (8787), prefixes their logs, and stops both on Ctrl-C or when either dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";

const host = "127.0.0.1";
const edgePort = process.env.PORT ?? "8787";
const imagePort = process.env.IMAGE_FEATURES_PORT ?? "8081";
const children: ChildProcess[] = [];

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on("line", (line) => console.log(`[${name}] ${line}`));
  }
  child.on("exit", (code, signal) => {
    console.log(`[start] ${name} exited (${signal ?? code}); stopping the stack`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

const vars: string[] = [];
if (existsSync("functions/image-features/main.ts")) {
  // Local dev only: loopback, no token between the two processes.
  run("image-features", process.execPath, ["--import", "tsx", "functions/image-features/main.ts", "--host", host, "--port", imagePort, "--insecure-local"]);
  vars.push("--var", `IMAGE_FEATURES_URL:http://${host}:${imagePort}`);
}
// Devtools listen on 9229 unless INSPECTOR_PORT says otherwise: a second local stack (tests, benchmarks) needs its own.
const inspector = process.env.INSPECTOR_PORT ? ["--inspector-port", process.env.INSPECTOR_PORT] : [];
run("edge", process.execPath, ["node_modules/wrangler/bin/wrangler.js", "dev", "--ip", host, "--port", edgePort, ...inspector, ...vars], {
  WRANGLER_SEND_METRICS: "false",
});
console.log(`[start] edge on http://${host}:${edgePort}  (try: curl http://${host}:${edgePort}/healthz)`);
