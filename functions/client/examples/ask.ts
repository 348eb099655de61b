/**
 * The typed client from Node, against `npm start`: models, one answer, a batch, then the error
 * handling a caller needs (server codes, timeouts, aborts). docs/client.md walks through it.
 *   npx tsx functions/client/examples/ask.ts [path/to/image.png]
 * EDGEFUSE_URL (default http://127.0.0.1:8787) and EDGEFUSE_API_KEY are read from the environment.
 */
import { readFile } from "node:fs/promises";
import { createClient, EdgefuseError } from "../index";

const client = createClient({
  baseUrl: process.env.EDGEFUSE_URL ?? "http://127.0.0.1:8787",
  apiKey: process.env.EDGEFUSE_API_KEY, // only needed where AUTH_MODE=required
  timeoutMs: 15_000,
});

const models = await client.models();
console.log(`fusion methods: ${models.fusionMethods.join(", ")} (default ${models.defaultFusion})`);

const image = await readFile(process.argv[2] ?? "public/samples/000000.png"); // a Buffer is a Uint8Array
const res = await client.answer({ question: "what shape is the red object?", image, fusion: "attention", topK: 3 });
for (const a of res.answers) console.log(`  ${a.label.padEnd(7)} ${(a.score * 100).toFixed(1)}%`);
console.log(`cache text=${res.cache.text} image=${res.cache.image}; server stages ${JSON.stringify(res.meta.serverTiming)}; request ${res.meta.requestId}`);

const batch = await client.answerBatch({
  questions: ["is the blue object on the left or right?", "how many objects have the same shape as the gray object?"],
  image,
});
for (const r of batch.results) console.log(`${r.question} → ${r.answers[0]?.label}`);

// Errors: one type, with the server's code, the HTTP status and the request id to quote.
try {
  await client.answer({ question: "what shape is the red object?", image: new TextEncoder().encode("not an image") });
} catch (e) {
  if (!(e instanceof EdgefuseError)) throw e;
  console.log(`rejected: ${e.code} (HTTP ${e.status}, request ${e.requestId}, retryable ${e.retryable})`);
}

// A caller's AbortSignal and a per-call timeout; both reject with EdgefuseError (codes "aborted", "timeout").
const controller = new AbortController();
const pending = client.answer({ question: "is the red object on the top or bottom?", image }, { signal: controller.signal });
controller.abort();
await pending.catch((e: EdgefuseError) => console.log(`aborted: ${e.code}`));
await client.models({ timeoutMs: 1 }).catch((e: EdgefuseError) => console.log(`tight deadline: ${e.code}`));
