// The engine's public API for application code: declare handlers, enqueue from server code, signal permanent errors.
export { defineHandler, defineHandlers } from "./model/registry";
export type { HandlerOptions, HandlerTree, HandlerData, Registry, TaskContext, TaskHandler } from "./model/handler";
export { PermanentError } from "./model/errors";
export { ERROR_CODES } from "./model/task";
export type { TaskDocument, TaskState } from "./model/task";
export { enqueueTask, registerHandlers } from "./store/enqueue-task";
export type { EnqueueOptions } from "./store/enqueue-task";
export type { Register, ServerTaskRequest, TaskRequest } from "./model/request";
export { defineSchedule, defineSchedules } from "./model/schedule";
export type { MissedSlotPolicy, Schedule, ScheduleDefinition } from "./model/schedule";
export type { DataSchema, SchemaTree, StandardSchemaV1 } from "./model/schema";
export type { CountedState, FanIn, FanOutOptions, FanOutResult, GroupCounts } from "./model/group";
