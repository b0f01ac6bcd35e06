// Checks a task document written by a client before anything runs it. A malformed task is not an error of the
// engine: it ends `failed` with `task/invalid` and a message that says what is wrong. A task too large for the
// engine's own fields to fit beside it ends `failed` with `task/too-large` before anything is written to it. Once
// its handler is known, `data` must fit the handler's schema (`task/invalid`, naming the field).
import { Timestamp, type DocumentData } from "firebase-admin/firestore";
import { LIMITS } from "../config";
import { ERROR_CODES } from "../model/task";
import { TaskFailure } from "../model/errors";
import { checkData } from "../model/schema";
import type { TaskHandler } from "../model/handler";
import { tooLargeProblem } from "./task-size";

function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function nameProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== "string") return `\`${field}\` must be a string, got ${value === null ? "null" : typeof value}`;
  if (value.trim() === "") return `\`${field}\` must not be empty`;
  if (value.length > LIMITS.nameChars) return `\`${field}\` is longer than ${LIMITS.nameChars} characters`;
  return undefined;
}

function jsonBytes(value: unknown): number {
  try {
    return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? "");
  } catch {
    return 0; // not JSON-able (a cycle cannot come from Firestore); Firestore itself bounds the size
  }
}

/** Returns the reason the task at `path` cannot run, or undefined when it is well-formed and fits. */
export function validateTask(task: DocumentData, path: string): TaskFailure | undefined {
  const problem =
    nameProblem("type", task.type) ??
    nameProblem("action", task.action) ??
    (task.data !== undefined && !isPlainMap(task.data) ? "`data` must be a map (an object) when present" : undefined) ??
    (jsonBytes(task.data) > LIMITS.dataBytes ? `\`data\` is larger than ${LIMITS.dataBytes / 1024} KiB` : undefined) ??
    (task.runAt !== undefined && !(task.runAt instanceof Timestamp)
      ? "`runAt` must be a timestamp when present"
      : undefined);
  if (problem) return new TaskFailure(ERROR_CODES.invalid, problem, false);
  const tooLarge = tooLargeProblem(path, task);
  return tooLarge ? new TaskFailure(ERROR_CODES.tooLarge, tooLarge, false) : undefined;
}

/**
 * The `data` the handler runs with: as stored, or its schema's output. A task whose data the schema refuses (or
 * whose schema throws) cannot run, whatever the attempt: `task/invalid`, the message naming the first bad field.
 */
export async function validateData(
  handler: TaskHandler<never, unknown>,
  data: unknown,
): Promise<{ data: unknown; failure?: undefined } | { failure: TaskFailure }> {
  const stored = data ?? {};
  if (!handler.schema) return { data: stored };
  try {
    const check = await checkData(handler.schema, stored);
    return check.problem === undefined
      ? { data: check.value }
      : { failure: new TaskFailure(ERROR_CODES.invalid, check.problem, false) };
  } catch (error) {
    const message = `the handler's schema threw: ${String((error as Error)?.message ?? error)}`;
    return { failure: new TaskFailure(ERROR_CODES.invalid, message, false) };
  }
}
