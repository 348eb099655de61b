/** A range input and the <output> beside it showing its value; screen readers get words (aria-valuetext). */
import { byId } from "./dom";

export interface Slider {
  value(): number;
  set(v: number): void;
}

export function slider(id: string, format: (v: number) => string, onChange: () => void, describe: (v: number) => string = format): Slider {
  const input = byId(id, HTMLInputElement);
  const out = byId(`${id}-out`, HTMLOutputElement);
  const show = () => {
    const v = Number(input.value);
    out.textContent = format(v);
    input.setAttribute("aria-valuetext", describe(v));
  };
  input.addEventListener("input", () => {
    show();
    onChange();
  });
  show();
  return {
    value: () => Number(input.value),
    set: (v: number) => {
      input.value = String(v);
      show();
    },
  };
}

export function signed(v: number, digits = 1): string {
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(digits)}`;
}

/** Words for a valence in −3.5..3.5. */
export function valenceWords(v: number): string {
  const mood = v <= -2 ? "very negative" : v < 0 ? "negative" : v === 0 ? "neutral" : v < 2 ? "positive" : "very positive";
  return `${signed(v)}, ${mood}`;
}
