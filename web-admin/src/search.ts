// "Find anything": what an operator pastes into the search box, understood. A Firestore console URL or a document
// path opens that task; a parent's path lists every task of that parent (a `parent` filter); `by:<uid>` lists the
// tasks someone created; a bare task id opens the task of that id under the parent being filtered on. Firestore
// finds a document across collections only by its full path, so an id alone, with no parent to look under, cannot
// be found without reading every task: the answer says so and how to give the path instead.
import { doc, getDoc, type Firestore } from "firebase/firestore";
import { MAX_PARENT_DEPTH, TASKS_COLLECTION, isQueueParentPath, type TaskFilter, type TaskState } from "./contract";

export type SearchTarget =
  { kind: "task"; path: string } | { kind: "filter"; filter: TaskFilter } | { kind: "error"; message: string };

/** The prefix that searches by creator: `by:uid` (or `createdBy:uid`). */
const CREATED_BY = /^(?:by|createdBy):\s*(\S+)$/i;

/**
 * The document path in a Firestore console URL: `.../firestore/databases/-default-/data/~2Forders~2Fo1~2Ftasks~2Ft1`,
 * `.../firestore/data/~2Forders~2Fo1~2Ftasks~2Ft1`, or the older `.../firestore/data/orders/o1/tasks/t1`. The console
 * escapes a path as one segment, `~` standing for `%`; with a panel path in front, the last such segment is the
 * document shown.
 */
export function pathFromConsoleUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if (!url.hostname.endsWith("console.firebase.google.com")) return undefined;
  const match = /\/firestore\/(?:databases\/[^/]+\/)?data\/?(.*)$/.exec(url.pathname);
  if (!match) return undefined;
  const parts = match[1].split("/").filter(Boolean);
  const escaped = parts.filter((part) => /^~2F/i.test(part));
  const raw = escaped.length ? escaped[escaped.length - 1] : parts.join("/");
  try {
    return trimSlashes(decodeURIComponent(raw.replace(/~/g, "%")));
  } catch {
    return undefined;
  }
}

const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, "");

/** What the search box's text asks for, given the filters already applied (a bare id looks under their parent). */
export function parseSearch(input: string, current: TaskFilter): SearchTarget {
  const text = input.trim();
  if (!text) return { kind: "error", message: "Type a task path, a parent path, a console URL, or by:<uid>." };
  const creator = CREATED_BY.exec(text);
  if (creator) return { kind: "filter", filter: { createdBy: creator[1] } };
  const fromUrl = /^https?:\/\//i.test(text) ? pathFromConsoleUrl(text) : undefined;
  if (/^https?:\/\//i.test(text) && fromUrl === undefined) {
    return { kind: "error", message: "That URL is not a Firestore console link to a document (…/firestore/…/data/…)." };
  }
  const path = trimSlashes(fromUrl ?? text);
  const segments = path.split("/");
  if (segments.some((segment) => segment === "")) return { kind: "error", message: `"${path}" has an empty segment.` };
  if (segments.length === 1) {
    if (current.parent) return { kind: "task", path: `${current.parent}/${TASKS_COLLECTION}/${path}` };
    return {
      kind: "error",
      message:
        `A task id alone cannot be looked up across every parent. Paste the task's path or its Firestore console ` +
        `URL, or search for its parent (orders/o-1) first, then for the id.`,
    };
  }
  // `orders/o-1/tasks`: the parent's task collection.
  if (segments.length % 2 === 1 && segments.at(-1) === TASKS_COLLECTION) segments.pop();
  const normalised = segments.join("/");
  if (segments.length % 2 === 0 && segments.at(-2) === TASKS_COLLECTION && segments.length >= 4) {
    return { kind: "task", path: normalised };
  }
  if (isQueueParentPath(normalised)) return { kind: "filter", filter: { parent: normalised } };
  return {
    kind: "error",
    message:
      `"${path}" is neither a task ({parent}/${TASKS_COLLECTION}/{id}) nor a parent document ` +
      `(a document path at depth 1 to ${MAX_PARENT_DEPTH}, such as orders/o-1).`,
  };
}

/** The parent document of a task path (`orders/o-1` for `orders/o-1/tasks/t1`). */
export function parentOf(taskPath: string): string {
  return taskPath.split("/").slice(0, -2).join("/");
}

/** The state of the task at `path`, or undefined when there is none: one document read. */
export async function taskStateAt(db: Firestore, path: string): Promise<TaskState | undefined> {
  const snapshot = await getDoc(doc(db, path));
  return snapshot.exists() ? (snapshot.get("state") as TaskState) : undefined;
}
