// A task document as the page reads it: the engine's field names and types (docs/design.md, "Data model"), every
// field checked as untrusted (a client wrote some of them), times as Dates.
import type { DocumentData, DocumentSnapshot } from "firebase/firestore";
import { TASKS_COLLECTION, type AttemptRecord, type Lease, type TaskDocument, type TaskErrorRecord } from "./contract";
import { h, type Child } from "./dom";
import { clockTime, isoTime, relativeTime, toDate } from "./format";

/** The engine's error record, read: `attempt` and `at` may be missing. */
export type TaskError = Pick<TaskErrorRecord<Date>, "code" | "message"> & Partial<TaskErrorRecord<Date>>;

/** One entry of `history`, read: any field may be missing, and `outcome` may be one the page does not know. */
export type Attempt = Partial<Omit<AttemptRecord<Date>, "outcome">> & { outcome: string };

/** The fields the page shows as they are stored (checked, with Dates for Timestamps). */
type Stored = Pick<
  TaskDocument<Date>,
  | "type"
  | "action"
  | "attempts"
  | "maxAttempts"
  | "createdAt"
  | "createdBy"
  | "runAt"
  | "startedAt"
  | "completedAt"
  | "failedAt"
  | "updatedAt"
  | "progress"
>;

export interface Task extends Stored {
  path: string;
  id: string;
  parentPath: string;
  /** A TaskState, or whatever else a client managed to write. */
  state: string;
  /** Written by the admin actions (this page's retry and cancel, and `retryTasks`). */
  retriedAt?: Date;
  retriedBy?: string;
  cancelledAt?: Date;
  cancelledBy?: string;
  lease?: Pick<Lease<Date>, "owner"> & Partial<Lease<Date>>;
  error?: TaskError;
  history: Attempt[];
  raw: DocumentData;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

function taskError(value: unknown): TaskError | undefined {
  if (!value || typeof value !== "object") return undefined;
  const error = value as DocumentData;
  return {
    code: text(error.code) ?? "unknown",
    message: text(error.message) ?? "",
    stack: text(error.stack),
    attempt: count(error.attempt),
    at: toDate(error.at),
  };
}

function history(value: unknown): Attempt[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((entry): entry is DocumentData => Boolean(entry) && typeof entry === "object")
    .map((entry) => ({
      attempt: count(entry.attempt),
      startedAt: toDate(entry.startedAt),
      endedAt: toDate(entry.endedAt),
      outcome: text(entry.outcome) ?? "?",
      error: entry.error ? { code: text(entry.error.code) ?? "", message: text(entry.error.message) ?? "" } : undefined,
    }));
}

export function taskFrom(snapshot: DocumentSnapshot): Task {
  const data = snapshot.data() ?? {};
  const parent = snapshot.ref.parent.parent;
  const lease = data.lease && typeof data.lease === "object" ? data.lease : undefined;
  return {
    path: snapshot.ref.path,
    id: snapshot.id,
    parentPath: parent?.path ?? "",
    type: text(data.type) ?? "?",
    action: text(data.action) ?? "?",
    state: text(data.state) ?? "?",
    attempts: count(data.attempts),
    maxAttempts: count(data.maxAttempts),
    createdAt: toDate(data.createdAt),
    createdBy: text(data.createdBy),
    runAt: toDate(data.runAt),
    startedAt: toDate(data.startedAt),
    completedAt: toDate(data.completedAt),
    failedAt: toDate(data.failedAt),
    updatedAt: toDate(data.updatedAt),
    retriedAt: toDate(data.retriedAt),
    retriedBy: text(data.retriedBy),
    cancelledAt: toDate(data.cancelledAt),
    cancelledBy: text(data.cancelledBy),
    lease: lease ? { owner: text(lease.owner) ?? "?", expiresAt: toDate(lease.expiresAt) } : undefined,
    progress: count(data.progress),
    error: taskError(data.error),
    history: history(data.history),
    raw: data,
  };
}

export function handlerName(task: Pick<Task, "type" | "action">): string {
  return `${task.type}.${task.action}`;
}

export function attemptsLabel(task: Pick<Task, "attempts" | "maxAttempts">): string {
  const attempts = task.attempts ?? 0;
  return task.maxAttempts ? `${attempts} / ${task.maxAttempts}` : String(attempts);
}

export function isDelayed(task: Task, now = Date.now()): boolean {
  return task.state === "scheduled" && task.runAt !== undefined && task.runAt.getTime() > now;
}

export function stateBadge(state: string): HTMLElement {
  return h("span", { class: `badge state-${/^[a-z]+$/.test(state) ? state : "unknown"}`, "data-state": state }, state);
}

/** A time as "3 min ago", with the exact time on hover; refreshed by `refreshRelativeTimes`. */
export function timeAgo(date: Date | undefined): HTMLElement {
  if (!date) return h("span", { class: "muted" }, "—");
  return h(
    "time",
    { datetime: isoTime(date), title: `${clockTime(date)} (${isoTime(date)})`, "data-relative": "" },
    relativeTime(date),
  );
}

export function refreshRelativeTimes(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLTimeElement>("time[data-relative]")) {
    element.textContent = relativeTime(new Date(element.dateTime));
  }
}

/** Text that may wrap after its separators (`.` and `/`) when a column is narrow, and nowhere else. */
export function breakable(text: string): Child[] {
  return text.split(/(?<=[./])/).flatMap((part, i) => (i === 0 ? [part] : [h("wbr"), part]));
}

/** `orders/o-1` and `tasks/abc` visually apart: the parent is the context, the id the task. */
export function taskPath(path: string): HTMLElement {
  const separator = `/${TASKS_COLLECTION}/`;
  const cut = path.lastIndexOf(separator);
  if (cut < 0) return h("span", { class: "path" }, path);
  return h(
    "span",
    { class: "path" },
    h("span", { class: "path-parent" }, breakable(path.slice(0, cut))),
    h("span", { class: "path-sep" }, separator, h("wbr")),
    h("span", { class: "path-id" }, path.slice(cut + separator.length)),
  );
}
