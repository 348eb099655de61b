/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens and fails fast for
 * `cooldownMs`; then one trial call is let through (half-open): success closes it, failure reopens.
 */
export type BreakerState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private opened = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get state(): BreakerState {
    if (!this.opened) return "closed";
    return this.now() - this.openedAt >= this.cooldownMs ? "half-open" : "open";
  }

  /** Whether a call may go out now; in half-open only one trial at a time. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === "closed") return true;
    if (s === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.opened = false;
    this.trialInFlight = false;
  }

  onFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.opened || this.failures >= this.failureThreshold) {
      this.opened = true;
      this.openedAt = this.now();
    }
  }
}
