/**
 * The sentiment tab's voice: synthesised in the browser by the task's own generator from the
 * sliders (tone, pitch, noise, length, sarcastic drawl) and encoded as a 16 kHz PCM WAV, or an
 * uploaded WAV. Either one plays in the audio element before it is sent.
 */
import { encodeWav, SAMPLE_RATE, synthVoice, voiceFromValence, type VoiceParams } from "../../tasks/sentiment/index";
import { byId } from "./dom";
import { signed, slider, valenceWords } from "./slider";

export class VoiceInput {
  private readonly audio = byId("s-audio", HTMLAudioElement);
  private readonly info = byId("s-voice-info", HTMLParagraphElement);
  private readonly file = byId("s-voice-file", HTMLInputElement);
  private readonly synthRadio = byId("s-voice-src-synth", HTMLInputElement);
  private readonly uploadRadio = byId("s-voice-src-upload", HTMLInputElement);
  private readonly drawl = byId("s-voice-drawl", HTMLInputElement);
  readonly enabled = byId("s-voice-on", HTMLInputElement);
  private readonly valence = slider("s-voice-valence", (v) => signed(v), () => this.schedule(), valenceWords);
  private readonly pitch = slider("s-voice-pitch", (v) => `${v} Hz`, () => this.schedule());
  private readonly snr = slider("s-voice-snr", (v) => `${v} dB`, () => this.schedule(), (v) => `${v} decibels signal to noise`);
  private readonly duration = slider("s-voice-duration", (v) => `${v.toFixed(2)} s`, () => this.schedule(), (v) => `${v} seconds`);
  private seed = 1;
  private current: Blob | undefined;
  private uploaded: File | undefined;
  private url: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly changed: () => void) {
    this.drawl.addEventListener("change", () => this.schedule());
    this.synthRadio.addEventListener("change", () => this.synthesise());
    this.uploadRadio.addEventListener("change", () => this.useUpload());
    this.enabled.addEventListener("change", () => this.changed());
    this.file.addEventListener("change", () => {
      this.uploaded = this.file.files?.[0];
      if (this.uploaded) this.uploadRadio.checked = true;
      this.useUpload();
    });
    this.synthesise();
  }

  params(): VoiceParams {
    return voiceFromValence(this.valence.value(), { f0Hz: this.pitch.value(), snrDb: this.snr.value() >= 40 ? Infinity : this.snr.value(), durationS: this.duration.value(), drawl: this.drawl.checked, seed: this.seed });
  }

  setFrom(p: VoiceParams): void {
    this.valence.set(Math.round(p.valence * 2) / 2);
    this.pitch.set(Math.round(Math.min(300, Math.max(80, p.f0Hz)) / 5) * 5);
    this.snr.set(Number.isFinite(p.snrDb) ? Math.round(Math.min(40, Math.max(0, p.snrDb))) : 40);
    this.duration.set(Math.round(Math.min(3, Math.max(0.5, p.durationS)) * 4) / 4);
    this.drawl.checked = p.drawl;
    this.seed = p.seed;
    this.synthRadio.checked = true;
    this.synthesise();
  }

  /** Slider drags re-synthesise once they settle (a 3 s voice takes a few ms, but not 60 times a second). */
  private schedule(): void {
    clearTimeout(this.timer);
    this.synthRadio.checked = true;
    this.timer = setTimeout(() => this.synthesise(), 120);
  }

  private play(blob: Blob): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = URL.createObjectURL(blob);
    this.audio.src = this.url;
    this.current = blob;
  }

  private synthesise(): void {
    clearTimeout(this.timer);
    const p = this.params();
    const wav = encodeWav(synthVoice(p), SAMPLE_RATE);
    this.play(new Blob([new Uint8Array(wav)], { type: "audio/wav" }));
    this.audio.dataset.source = "synth";
    this.info.textContent = `Synthesised: ${p.durationS.toFixed(2)} s at ${SAMPLE_RATE / 1000} kHz, tone ${valenceWords(p.valence)}, ${Number.isFinite(p.snrDb) ? `${p.snrDb} dB SNR` : "no noise"}${p.drawl ? ", drawn out" : ""} (${wav.byteLength} bytes).`;
    this.changed();
  }

  private useUpload(): void {
    if (!this.uploaded) {
      this.current = undefined;
      this.info.textContent = "Choose a WAV file to upload.";
    } else {
      this.play(this.uploaded);
      this.audio.dataset.source = "upload";
      this.info.textContent = `Uploaded: ${this.uploaded.name} (${this.uploaded.size} bytes).`;
    }
    this.changed();
  }

  /** The WAV to send, or undefined when the voice is switched off (or nothing is uploaded). */
  bytes(): Blob | undefined {
    return this.enabled.checked ? this.current : undefined;
  }
}
