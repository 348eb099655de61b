/**
 * Sort-of-CLEVR (Santoro et al. 2017) scene generator, renderer, question templates and answers.
 *
 * Pure and deterministic: no Node, DOM or Worker imports, no Math.random, integer PRNG only, so the
 * same (seed, index) gives the same bytes on every platform. See docs/task.md for the exact rules.
 */

export const IMAGE_SIZE = 75;
export const CHANNELS = 3;
export const IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;
export const CIRCLE_RADIUS = 5;
export const SQUARE_SIDE = 10;
/** Minimum centre-to-centre distance; ≥ 10·√2 guarantees two squares never overlap. */
export const MIN_CENTRE_DISTANCE = 15;
/** Centres are integers in [CENTRE_MIN, CENTRE_MAX], so every object pixel lies inside the image. */
export const CENTRE_MIN = 5;
export const CENTRE_MAX = 70;
export const HALF = IMAGE_SIZE / 2; // 37.5

export const COLOURS = ["red", "green", "blue", "orange", "gray", "yellow"] as const;
export type Colour = (typeof COLOURS)[number];
export const COLOUR_RGB: Record<Colour, readonly [number, number, number]> = {
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  orange: [255, 156, 0],
  gray: [128, 128, 128],
  yellow: [255, 255, 0],
};
export const SHAPES = ["circle", "square"] as const;
export type Shape = (typeof SHAPES)[number];

/** Answer vocabulary; index order is the logits order (docs/contracts.md). */
export const LABELS = ["circle", "square", "left", "right", "top", "bottom", "1", "2", "3", "4", "5", "6"] as const;
export type Label = (typeof LABELS)[number];

export const QUESTION_TYPES = ["shape", "horizontal", "vertical", "closest", "farthest", "count"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const RELATIONAL: Record<QuestionType, boolean> = {
  shape: false,
  horizontal: false,
  vertical: false,
  closest: true,
  farthest: true,
  count: true,
};

/** Canonical templates (lower case, with the trailing '?'). `{c}` is a colour word. */
export const TEMPLATES: Record<QuestionType, string> = {
  shape: "what shape is the {c} object?",
  horizontal: "is the {c} object on the left or right?",
  vertical: "is the {c} object on the top or bottom?",
  closest: "what shape is the object closest to the {c} object?",
  farthest: "what shape is the object farthest from the {c} object?",
  count: "how many objects have the same shape as the {c} object?",
};

export interface SceneObject {
  colour: Colour;
  shape: Shape;
  /** integer centre, pixel units; pixel (x, y) covers [x, x+1) × [y, y+1) */
  cx: number;
  cy: number;
}

export interface Scene {
  seed: number;
  index: number;
  /** one object per colour, in COLOURS order */
  objects: SceneObject[];
}

export interface ParsedQuestion {
  type: QuestionType;
  colour: Colour;
}

export interface QuestionRecord {
  question: string;
  type: QuestionType;
  colour: Colour;
  relational: boolean;
  answer: Label;
}

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix32 to derive a per-(seed, index, stream) state, mulberry32 to draw.

function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Derive a 32-bit state from integers (each taken modulo 2^32). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x243f6a88;
  for (const p of parts) h = mix32(h ^ mix32(p >>> 0));
  return h >>> 0;
}

/** mulberry32: returns a function giving uniform floats in [0, 1) with 32-bit resolution. */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [lo, hi] (inclusive). */
function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

// ---------------------------------------------------------------------------------------------
// Scenes

function dist2(a: SceneObject, b: SceneObject): number {
  const dx = a.cx - b.cx;
  const dy = a.cy - b.cy;
  return dx * dx + dy * dy;
}

/** True when every object has a unique closest and a unique farthest other object. */
function unambiguous(objects: SceneObject[]): boolean {
  for (let i = 0; i < objects.length; i++) {
    const oi = objects[i]!;
    const d = objects.map((o, j) => (j === i ? -1 : dist2(oi, o))).filter((v) => v >= 0);
    d.sort((a, b) => a - b);
    if (d[0] === d[1] || d[d.length - 1] === d[d.length - 2]) return false;
  }
  return true;
}

/**
 * Scene `index` of the stream `seed`: six objects (one per colour), random shape, integer centres
 * in [5, 70]², pairwise centre distance ≥ 15 (so no overlap), closest/farthest never tied.
 */
export function generateScene(seed: number, index: number): Scene {
  const rand = mulberry32(deriveSeed(seed, index, 1));
  for (;;) {
    const objects: SceneObject[] = [];
    let failed = false;
    for (const colour of COLOURS) {
      let placed = false;
      for (let attempt = 0; attempt < 200 && !placed; attempt++) {
        const cand: SceneObject = {
          colour,
          shape: SHAPES[randInt(rand, 0, 1)]!,
          cx: randInt(rand, CENTRE_MIN, CENTRE_MAX),
          cy: randInt(rand, CENTRE_MIN, CENTRE_MAX),
        };
        if (objects.every((o) => dist2(o, cand) >= MIN_CENTRE_DISTANCE * MIN_CENTRE_DISTANCE)) {
          objects.push(cand);
          placed = true;
        }
      }
      if (!placed) {
        failed = true;
        break;
      }
    }
    if (!failed && unambiguous(objects)) return { seed, index, objects };
  }
}

/** Whether pixel (x, y) (covering [x, x+1) × [y, y+1)) belongs to the object. */
export function coversPixel(o: SceneObject, x: number, y: number): boolean {
  // pixel centre (x + 0.5, y + 0.5); work in doubled integer coordinates to stay exact
  const dx2 = 2 * x + 1 - 2 * o.cx;
  const dy2 = 2 * y + 1 - 2 * o.cy;
  if (o.shape === "square") {
    return Math.abs(dx2) < SQUARE_SIDE && Math.abs(dy2) < SQUARE_SIDE; // |dx| < 5, |dy| < 5
  }
  return dx2 * dx2 + dy2 * dy2 <= 4 * CIRCLE_RADIUS * CIRCLE_RADIUS; // dx² + dy² ≤ 25
}

/** Render to RGB bytes, row-major [y][x][c], white background. */
export function renderScene(scene: Scene): Uint8Array {
  const out = new Uint8Array(IMAGE_BYTES).fill(255);
  for (const o of scene.objects) {
    const [r, g, b] = COLOUR_RGB[o.colour];
    for (let y = o.cy - 5; y <= o.cy + 4; y++) {
      for (let x = o.cx - 5; x <= o.cx + 4; x++) {
        if (x < 0 || y < 0 || x >= IMAGE_SIZE || y >= IMAGE_SIZE) continue;
        if (!coversPixel(o, x, y)) continue;
        const p = (y * IMAGE_SIZE + x) * 3;
        out[p] = r;
        out[p + 1] = g;
        out[p + 2] = b;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Questions

export function questionText(type: QuestionType, colour: Colour): string {
  return TEMPLATES[type].replace("{c}", colour);
}

const TEMPLATE_REGEXES: Array<[QuestionType, RegExp]> = QUESTION_TYPES.map((t) => {
  const body = TEMPLATES[t]
    .replace(/\?$/, "")
    .split("{c}")
    .map((s) => s.replace(/ /g, "\\s+"));
  return [t, new RegExp(`^${body[0]}(${COLOURS.join("|")})${body[1]}\\s*\\??$`)];
});

/** Parse a template question (case-insensitive, extra spaces tolerated, optional '?'); null otherwise. */
export function parseQuestion(text: string): ParsedQuestion | null {
  const t = text.trim().toLowerCase();
  for (const [type, re] of TEMPLATE_REGEXES) {
    const m = re.exec(t);
    if (m) return { type, colour: m[1] as Colour };
  }
  return null;
}

export function answerQuestion(scene: Scene, q: ParsedQuestion): Label {
  const target = scene.objects.find((o) => o.colour === q.colour);
  if (!target) throw new Error(`no ${q.colour} object in scene`);
  const others = scene.objects.filter((o) => o !== target);
  switch (q.type) {
    case "shape":
      return target.shape;
    case "horizontal":
      return target.cx < HALF ? "left" : "right";
    case "vertical":
      return target.cy < HALF ? "top" : "bottom";
    case "closest": {
      let best = others[0]!;
      for (const o of others) if (dist2(o, target) < dist2(best, target)) best = o;
      return best.shape;
    }
    case "farthest": {
      let best = others[0]!;
      for (const o of others) if (dist2(o, target) > dist2(best, target)) best = o;
      return best.shape;
    }
    case "count":
      return String(scene.objects.filter((o) => o.shape === target.shape).length) as Label;
  }
}

export function makeRecord(scene: Scene, type: QuestionType, colour: Colour): QuestionRecord {
  return {
    question: questionText(type, colour),
    type,
    colour,
    relational: RELATIONAL[type],
    answer: answerQuestion(scene, { type, colour }),
  };
}

/** The six questions of a scene: one per type, each about a colour drawn from the scene's stream. */
export function questionsFor(scene: Scene): QuestionRecord[] {
  const rand = mulberry32(deriveSeed(scene.seed, scene.index, 2));
  return QUESTION_TYPES.map((type) => makeRecord(scene, type, COLOURS[randInt(rand, 0, COLOURS.length - 1)]!));
}

/** All 36 questions of a scene (every type × every colour). */
export function allQuestionsFor(scene: Scene): QuestionRecord[] {
  const out: QuestionRecord[] = [];
  for (const type of QUESTION_TYPES) for (const colour of COLOURS) out.push(makeRecord(scene, type, colour));
  return out;
}

export function labelIndex(label: Label): number {
  return LABELS.indexOf(label);
}
