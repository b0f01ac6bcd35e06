// The Firestore triggers: a task was created, run it if due, schedule it if not. The engine's own writes never fire
// it. A Firestore trigger matches a fixed number of path segments, so there is one per depth of parent, 1 to
// MAX_PARENT_DEPTH, sharing one handler: `dispatchTask` (`orders/o/tasks/t`), `dispatchTaskDepth2`
// (`users/u/orders/o/tasks/t`), ...
import { onDocumentCreated } from "firebase-functions/firestore";
import { TASK_DOCUMENT_PATHS, dispatchFunctionName } from "../queue/model/task";
import { onFirstCall } from "../queue/on-first-call";
import { loadHandlers, runtime } from "./runtime";

/** The triggers' names, in depth order (index.ts declares them without loading this module). */
export const DISPATCH_FUNCTION_NAMES = TASK_DOCUMENT_PATHS.map((_, i) => dispatchFunctionName(i + 1));

const engine = onFirstCall(() =>
  Promise.all([import("../queue/triggers/dispatch-task.js").then((m) => m.handleTaskCreated), loadHandlers()]),
);

export const dispatchers: Record<string, ReturnType<typeof onDocumentCreated>> = Object.fromEntries(
  TASK_DOCUMENT_PATHS.map((document, i) => [
    DISPATCH_FUNCTION_NAMES[i],
    onDocumentCreated({ ...runtime, document }, async (event) => {
      const [handleTaskCreated, handlers] = await engine();
      return handleTaskCreated(event, handlers);
    }),
  ]),
);
