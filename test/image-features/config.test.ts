// Configuration: flags over env over defaults, and the auth-off-only-on-loopback rule.
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopback, loadConfig } from "../../functions/image-features/config.js";

const TOKEN = { IMAGE_FEATURES_TOKEN: "0123456789abcdef0123" };

describe("config", () => {
  it("reads env, then flags", () => {
    const c = loadConfig(["--max-batch-size", "8", "--port=9000"], { ...TOKEN, IMAGE_FEATURES_PORT: "7000", IMAGE_FEATURES_MAX_QUEUE_DELAY_MS: "3" });
    expect(c.port).toBe(9000);
    expect(c.batching).toMatchObject({ maxBatchSize: 8, maxQueueDelayMs: 3 });
    expect(c.auth).toEqual({ enabled: true, token: TOKEN.IMAGE_FEATURES_TOKEN });
    expect(loadConfig([], { ...TOKEN, IMAGE_FEATURES_PORT: "7000" }).port).toBe(7000);
  });

  it("requires a long enough token unless auth is off", () => {
    expect(() => loadConfig([], {})).toThrow(ConfigError);
    expect(() => loadConfig([], { IMAGE_FEATURES_TOKEN: "short" })).toThrow(/at least 16/);
    expect(loadConfig(["--insecure-local"], {}).auth.enabled).toBe(false);
    expect(loadConfig([], { IMAGE_FEATURES_AUTH: "off" }).auth.enabled).toBe(false);
  });

  it("IMAGE_FEATURES_AUTH accepts only on and off: any other spelling refuses to start, never turns auth off", () => {
    expect(loadConfig([], { ...TOKEN, IMAGE_FEATURES_AUTH: "on" }).auth.enabled).toBe(true);
    for (const v of ["true", "false", "1", "0", "yes", "OFF", " off"]) {
      expect(() => loadConfig([], { ...TOKEN, IMAGE_FEATURES_AUTH: v }), v).toThrow(/must be on or off/);
    }
  });

  it("refuses auth off on a non-loopback host", () => {
    expect(() => loadConfig(["--insecure-local", "--host", "0.0.0.0"], {})).toThrow(/refusing to start without auth/);
    expect(() => loadConfig(["--host", "192.168.1.5"], { IMAGE_FEATURES_AUTH: "off" })).toThrow(ConfigError);
    expect(loadConfig(["--insecure-local", "--host", "::1"], {}).host).toBe("::1");
    expect(loadConfig(["--host", "0.0.0.0"], TOKEN).host).toBe("0.0.0.0");
  });

  it("knows loopback addresses", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"]) expect(isLoopback(h), h).toBe(false);
  });

  it("rejects bad values and unknown flags", () => {
    expect(() => loadConfig(["--max-batch-size", "0"], TOKEN)).toThrow(/>= 1/);
    expect(() => loadConfig(["--provider", "tpu"], TOKEN)).toThrow(/provider/);
    expect(() => loadConfig(["--frobnicate"], TOKEN)).toThrow(/unknown option/);
  });
});
