import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../functions/edge/clients/circuit-breaker";

describe("CircuitBreaker", () => {
  it("opens after the threshold, fails fast, lets one trial through after the cooldown", () => {
    let now = 0;
    const b = new CircuitBreaker(3, 1000, () => now);
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.onFailure();
    }
    expect(b.state).toBe("closed");
    b.tryAcquire();
    b.onFailure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    now = 1000;
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one trial at a time
    b.onFailure();
    expect(b.state).toBe("open");
    now = 2000;
    expect(b.tryAcquire()).toBe(true);
    b.onSuccess();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });
  it("a success resets the failure count", () => {
    const b = new CircuitBreaker(2, 1000, () => 0);
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    expect(b.state).toBe("closed");
  });
});
