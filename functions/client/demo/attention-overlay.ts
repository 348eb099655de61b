/**
 * The attention heatmap laid over the scene, its toggle and opacity slider, and the sentence that
 * says where the head looked. The overlay image's accessible name carries the same sentence.
 */
import type { SceneObject } from "../../tasks/sort-of-clevr/generator";
import type { AttentionMap } from "./api-extras";
import { describeAttention } from "./attention-summary";
import { byId } from "./dom";
import { heatmapDataUrl } from "./heatmap";

export class AttentionOverlay {
  private readonly img = byId("heatmap", HTMLImageElement);
  private readonly controls = byId("heatmap-controls", HTMLDivElement);
  private readonly toggle = byId("heatmap-toggle", HTMLInputElement);
  private readonly opacity = byId("heatmap-opacity", HTMLInputElement);
  private readonly opacityValue = byId("heatmap-opacity-value", HTMLOutputElement);
  private readonly summary = byId("attention-summary", HTMLParagraphElement);
  private shown = false;

  constructor() {
    this.toggle.addEventListener("change", () => this.sync());
    this.opacity.addEventListener("input", () => this.sync());
    this.sync();
  }

  private sync(): void {
    this.img.hidden = !this.shown || !this.toggle.checked;
    this.img.style.opacity = String(Number(this.opacity.value) / 100);
    this.opacityValue.textContent = `${this.opacity.value}%`;
    this.opacity.disabled = !this.toggle.checked;
  }

  show(map: AttentionMap, fusion: string, size: { width: number; height: number }, objects?: readonly SceneObject[]): void {
    const sentence = describeAttention(map, size.width, size.height, objects);
    this.img.src = heatmapDataUrl(map);
    this.img.alt = `Attention heatmap of the ${fusion} head over the image: it ${sentence}`;
    this.img.dataset.fusion = fusion;
    this.summary.textContent = `Where the ${fusion} head looked: it ${sentence}.`;
    this.summary.hidden = false;
    this.controls.hidden = false;
    this.shown = true;
    this.sync();
  }

  /** No map for this answer: say so instead of leaving an old one on screen. */
  clear(note?: string): void {
    this.shown = false;
    this.img.removeAttribute("src");
    this.img.alt = "";
    this.controls.hidden = true;
    this.summary.hidden = !note;
    this.summary.textContent = note ?? "";
    this.sync();
  }
}
