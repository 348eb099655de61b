/**
 * The busy state of a submit button while a request runs: disabled, a spinner, a label saying
 * what is happening, and the elapsed time ticking beside it, so a slow first answer (models load
 * on first use) never looks like a dead page.
 */
export interface Busy {
  /** Restores the button; safe to call twice. */
  stop(): void;
}

export function startBusy(button: HTMLButtonElement, label: HTMLElement, elapsed: HTMLElement, busyText: string): Busy {
  const idleText = label.textContent ?? "";
  const t0 = performance.now();
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  label.textContent = busyText;
  const tick = () => (elapsed.textContent = `${busyText.replace(/…$/, "")}: ${((performance.now() - t0) / 1000).toFixed(1)} s elapsed`);
  tick();
  const timer = setInterval(tick, 100);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      button.disabled = false;
      button.removeAttribute("aria-busy");
      label.textContent = idleText;
      elapsed.textContent = "";
    },
  };
}
