// Entry of the encoder worker thread when the server runs from TypeScript sources (tsx, vitest):
// worker threads do not inherit the parent's TypeScript loader, so register tsx here first.
import { register } from "tsx/esm/api";

register();
await import("./encoder-worker.ts");
