// What handler authors import: `import { defineHandler, PermanentError } from "../queue";`
export { defineHandler, defineHandlers } from "./registry";
export type { HandlerOptions, HandlerTree, HandlerData, Registry, TaskHandler } from "./registry";
export type { TaskContext } from "./context";
export { PermanentError } from "./errors";
export { ERROR_CODES } from "./task";
export type { TaskDocument, TaskState } from "./task";
export { enqueueTask } from "./enqueue";
export type { EnqueueOptions, ServerTaskRequest } from "./enqueue";
export type { Register, TaskRequest } from "./task-request";
