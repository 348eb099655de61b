/**
 * The sentiment tab's face: drawn in the browser by the task's own renderer from the sliders
 * (expression, tilt, light, mask, turned away), or an uploaded image. Gives the bytes to send.
 */
import { faceFromValence, renderFace, type FaceParams } from "../../tasks/sentiment/index";
import { canvasPng, paintRgb } from "./canvas-png";
import { byId } from "./dom";
import { signed, slider, valenceWords } from "./slider";

export class FaceInput {
  private readonly canvas = byId("s-face-canvas", HTMLCanvasElement);
  private readonly file = byId("s-face-file", HTMLInputElement);
  private readonly drawRadio = byId("s-face-src-draw", HTMLInputElement);
  private readonly uploadRadio = byId("s-face-src-upload", HTMLInputElement);
  private readonly covered = byId("s-face-covered", HTMLInputElement);
  private readonly away = byId("s-face-away", HTMLInputElement);
  readonly enabled = byId("s-face-on", HTMLInputElement);
  private readonly valence = slider("s-face-valence", (v) => signed(v), () => this.draw(), valenceWords);
  private readonly roll = slider("s-face-roll", (v) => `${Math.round((v * 180) / Math.PI)}°`, () => this.draw());
  private readonly light = slider("s-face-light", (v) => `${Math.round(v * 100)}%`, () => this.draw());
  private uploaded: File | undefined;

  constructor(private readonly changed: () => void) {
    for (const el of [this.covered, this.away, this.drawRadio]) el.addEventListener("change", () => this.draw());
    this.uploadRadio.addEventListener("change", () => this.showUpload());
    this.enabled.addEventListener("change", () => this.changed());
    this.file.addEventListener("change", () => {
      this.uploaded = this.file.files?.[0];
      if (this.uploaded) this.uploadRadio.checked = true;
      this.showUpload();
    });
    this.draw();
  }

  params(): FaceParams {
    return faceFromValence(this.valence.value(), { roll: this.roll.value(), light: this.light.value(), covered: this.covered.checked, pose: this.away.checked ? "away" : "frontal" });
  }

  /** Sets the sliders (e.g. from a generated example) and redraws. */
  setFrom(p: FaceParams): void {
    this.valence.set(Math.round(p.valence * 2) / 2);
    this.roll.set(Math.round(p.roll * 20) / 20);
    this.light.set(Math.max(0.05, Math.round(p.light * 20) / 20));
    this.covered.checked = p.covered;
    this.away.checked = p.pose === "away";
    this.drawRadio.checked = true;
    this.draw();
  }

  private draw(): void {
    if (!this.drawRadio.checked) this.drawRadio.checked = true;
    const p = this.params();
    const img = renderFace(p);
    paintRgb(this.canvas, img.data, img.width, img.height);
    const look = p.pose === "away" ? "turned away" : `expression ${valenceWords(p.valence)}${p.covered ? ", mask and dark glasses" : ""}${p.light < 0.4 ? ", dim light" : ""}`;
    this.canvas.setAttribute("aria-label", `Drawn face: ${look}`);
    this.changed();
  }

  private showUpload(): void {
    if (!this.uploaded) {
      this.canvas.setAttribute("aria-label", "No face uploaded yet");
      this.changed();
      return;
    }
    const url = URL.createObjectURL(this.uploaded);
    const img = new Image();
    img.onload = () => {
      const ctx = this.canvas.getContext("2d");
      this.canvas.width = this.canvas.height = 128;
      // Letterboxed like the feature function does, so the preview shows what the encoder sees.
      const s = Math.min(128 / img.naturalWidth, 128 / img.naturalHeight);
      ctx?.clearRect(0, 0, 128, 128);
      ctx?.drawImage(img, (128 - img.naturalWidth * s) / 2, (128 - img.naturalHeight * s) / 2, img.naturalWidth * s, img.naturalHeight * s);
      URL.revokeObjectURL(url);
    };
    img.src = url;
    this.canvas.setAttribute("aria-label", `Uploaded face: ${this.uploaded.name}`);
    this.changed();
  }

  /** The bytes to send, or undefined when the face is switched off (or nothing is uploaded). */
  async bytes(): Promise<Blob | undefined> {
    if (!this.enabled.checked) return undefined;
    if (this.uploadRadio.checked) return this.uploaded;
    const img = renderFace(this.params());
    const canvas = document.createElement("canvas");
    paintRgb(canvas, img.data, img.width, img.height);
    return canvasPng(canvas);
  }

  describe(): string {
    return this.uploadRadio.checked ? `uploaded ${this.uploaded?.name ?? "(none)"}` : this.canvas.getAttribute("aria-label") ?? "";
  }
}
