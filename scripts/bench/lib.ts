/** Shared pieces of the benchmarks: statistics, machine description, starting local servers. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, totalmem, platform, release, tmpdir } from "node:os";
import { join } from "node:path";

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface Started {
  readonly url: string;
  readonly process: ChildProcess;
  /** Wall time from spawn to the ready line. */
  readonly readyMs: number;
  /** The output line that matched `ready`. */
  readonly readyLine: string;
  stop(): Promise<void>;
}

/** Spawns a server and resolves once a line of its output matches `ready`. */
export function startProcess(cmd: string, args: string[], url: string, ready: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 420_000): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} not ready after ${timeoutMs} ms:\n${log.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          url,
          process: child,
          readyMs: performance.now() - t0,
          readyLine: log.split("\n").find((l) => ready.test(l)) ?? "",
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 5000).unref();
            }),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code} before it was ready:\n${log.slice(-2000)}`));
    });
  });
}

/** `wrangler dev` for the edge Worker (or the Worker of another wrangler config) on a loopback port, with extra `--var`s. */
export async function startEdge(vars: Record<string, string> = {}, config?: string): Promise<Started> {
  const port = await freePort();
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const configArgs = config ? ["-c", config] : [];
  // Its own inspector port too: two `wrangler dev` on one machine otherwise collide on 9229/9230.
  const inspectorPort = await freePort();
  // Its own empty local state (Cache API, KV): a measured "first" request must not find entries
  // persisted by an earlier run in .wrangler/state.
  const persistTo = mkdtempSync(join(tmpdir(), "edgefuse-wrangler-state-"));
  return startProcess(
    process.execPath,
    ["node_modules/wrangler/bin/wrangler.js", "dev", ...configArgs, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persistTo, "--log-level", "info", ...varArgs],
    `http://127.0.0.1:${port}`,
    /Ready on http/,
    { WRANGLER_SEND_METRICS: "false" },
  );
}

/** Reads one stage from a Server-Timing header, in ms. */
export function serverTiming(header: string | null, stage: string): number {
  const m = header?.match(new RegExp(`(?:^|,\\s*)${stage};dur=([0-9.]+)`));
  return m ? Number(m[1]) : NaN;
}

/** Runs a benchmark when its file is the entry point, and writes its result to `--out <file>` if given. */
export async function runAsScript(moduleUrl: string, bench: () => Promise<unknown>): Promise<void> {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const result = await bench();
  const outAt = process.argv.indexOf("--out");
  if (outAt > 0 && process.argv[outAt + 1]) writeFileSync(process.argv[outAt + 1]!, JSON.stringify(result, null, 2));
}

export function fmt(ms: number): string {
  return Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(3) : ms.toFixed(1)) : "n/a";
}

/** CPU time of this process (user + system, all threads), ms: robust to waiting for a core on a shared machine. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Pids of a process and all its descendants (from /proc). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* process ended */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ (`getconf CLK_TCK`)

/**
 * RSS (MiB) and CPU time (user + system, ms, all threads, 10 ms resolution) summed over a process
 * and its descendants whose command line matches, e.g. /workerd/ under `wrangler dev`.
 */
export function processStats(rootPid: number, match: RegExp): { rssMiB: number; cpuMs: number } {
  let rssMiB = 0;
  let cpuMs = 0;
  for (const pid of processTree(rootPid)) {
    try {
      if (!match.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"))) continue;
      rssMiB += Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      /* gone */
    }
  }
  return { rssMiB, cpuMs };
}
