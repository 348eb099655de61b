/** The `explanation` of explain: true (answers and suite predictions). */
import { z } from "zod";

export const Explanation = z
  .object({
    attention: z
      .object({
        rows: z.number().int(),
        cols: z.number().int(),
        modality: z.string().describe("the modality whose grid the weights cover (e.g. image)"),
        weights: z.array(z.number()).describe("row-major, rows × cols, summing to 1; row 0 is the top of the (letterboxed) image the encoder saw, col 0 its left"),
      })
      .optional()
      .describe("attention heads only: where the head looked"),
    attribution: z
      .record(z.string(), z.number())
      .describe("per modality used: p(top answer) with all modalities − p(top answer) with that modality's features replaced by zeros (the head's absent input); positive = the modality supported the answer"),
  })
  .meta({ id: "Explanation" });
export type Explanation = z.infer<typeof Explanation>;
