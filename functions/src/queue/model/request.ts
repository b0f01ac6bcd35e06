// "Enqueue this": a handler address plus its input, typed from the handler tree, so the compiler checks that a
// task's `data` fits the handler its `type`/`action` name. Types only: the browser client library imports this
// file too, and must not pull in firebase-admin.
import type { Timestamp } from "firebase-admin/firestore";
import type { HandlerTree, TaskHandler } from "./handler";

/**
 * The application registers its handler tree here, once (functions/src/handlers/index.ts does it):
 *
 *     declare module "../queue/model/request" { interface Register { handlers: Handlers } }
 *
 * `ctx.enqueue` in handlers and the client library's default types then follow the registry.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered handler tree, or the untyped `HandlerTree` before an app registers one. */
type RegisteredHandlers = Register extends { handlers: infer H extends HandlerTree } ? H : HandlerTree;

/**
 * Every handler under `node`, as `{ action, data }` with dotted actions for nested handlers; `data` is what the
 * handler accepts as written (its schema's input type).
 */
type ActionsOf<Node, Prefix extends string> = {
  [K in keyof Node & string]: Node[K] extends TaskHandler<never, unknown, infer D>
    ? { action: `${Prefix}${K}`; data: D }
    : ActionsOf<Node[K], `${Prefix}${K}.`>;
}[keyof Node & string];

/** `data` may be left out when the handler's data type has no required field. */
type DataField<D> = Record<never, never> extends D ? { data?: D } : { data: D };

type TypedTaskRequest<H, Time> = {
  [T in keyof H & string]: ActionsOf<H[T], ""> extends infer Entry
    ? Entry extends { action: infer A; data: infer D }
      ? { type: T; action: A; runAt?: Time } & DataField<D>
      : never
    : never;
}[keyof H & string];

/** What an untyped registry accepts. */
interface UntypedTaskRequest<Time> {
  type: string;
  action: string;
  data?: Record<string, unknown>;
  runAt?: Time;
}

/**
 * A task to enqueue: `{ type, action, data, runAt? }`, a union over every handler of `H`, so `data` is checked
 * against the handler that `type`/`action` select. `Time` is the SDK's timestamp type (or Date).
 */
export type TaskRequest<H = RegisteredHandlers, Time = Date> = HandlerTree extends H
  ? UntypedTaskRequest<Time>
  : TypedTaskRequest<H, Time>;

/** The fields a client writes on create; the security rules accept these and no others. */
export const CLIENT_TASK_FIELDS = [
  "type",
  "action",
  "state",
  "data",
  "runAt",
  "createdAt",
  "createdBy",
  "dedupKey",
  "shard",
] as const;

/** The fields of a dedup lock a client writes with its task; the security rules accept these and no others. */
export const CLIENT_LOCK_FIELDS = ["task", "type", "action", "key", "createdAt", "expiresAt"] as const;

/** A task enqueued by server code (`enqueueTask`, `ctx.enqueue`): `runAt` as a Date or a firebase-admin Timestamp. */
export type ServerTaskRequest = TaskRequest<RegisteredHandlers, Date | Timestamp>;
