/**
 * One AbortSignal for a call from the caller's signal and a timeout. Written by hand rather than
 * with AbortSignal.any/timeout so it works in every browser the demo targets, and so the client can
 * tell a timeout from a caller's abort.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  readonly timedOut: () => boolean;
  /** Clears the timer and the listener; call once the body is read. */
  readonly dispose: () => void;
}

export function deadline(outer: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
        }, timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}
