/**
 * The multimodal sentiment task (docs/task-sentiment.md): text, a drawn face and a synthetic voice
 * whose latent score s in -3..3 gives the class. Pure TypeScript for Node, browsers and workerd.
 */
export { LABELS, KINDS, classOf, SCORE_MIN, SCORE_MAX, type SentimentLabel, type UtteranceKind } from "./labels";
export { Rng, mixSeed } from "./random";
export { utterance, PHRASES, ADJECTIVES, NOUNS, SURFACES, type Surface, type Utterance } from "./text";
export { renderFace, faceFromValence, DEFAULT_FACE, type FaceParams } from "./face";
export { synthVoice, voiceFromValence, prosodyFor, DEFAULT_VOICE, SAMPLE_RATE, type VoiceParams } from "./voice";
export { augmentImage, drawAugment, NO_AUGMENT, type PixelAugment } from "./augment";
export { encodeWav, decodeWavPcm16, pcm16RoundTrip } from "./wav";
export { encodePng, zlibStored } from "./png";
export type { RgbImage, Rgb } from "./image";
export {
  generateSample,
  augmentRng,
  sampleId,
  KIND_WEIGHTS,
  CLASS_WEIGHTS,
  UNREADABLE_WEIGHTS,
  EXPRESSION_NOISE,
  type SentimentSample,
  type FaceCondition,
  type VoiceCondition,
  type Codec,
} from "./sample";
