/** The generator moved to the task module (functions/tasks/sort-of-clevr); this path keeps old imports working. */
export * from "../../functions/tasks/sort-of-clevr/generator";
