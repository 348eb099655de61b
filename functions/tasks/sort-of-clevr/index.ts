/** The Sort-of-CLEVR task (pure TypeScript: Node, browsers, workerd). Node-only codec helpers: ./augment-node. */
export * from "./generator";
export * from "./augment";
export * from "./answerability";
// the contract's parseQuestion (answerability) wins over the generator's nullable template parser
export { parseQuestion } from "./answerability";
export * from "./question-sets";
