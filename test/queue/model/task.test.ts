// The queue's path shapes: a task in the `tasks` of a document at depth 1 to MAX_PARENT_DEPTH, and nothing else. The
// triggers, the sweeper, the admin callables and enqueueTask all decide with these two predicates.
import { strict as assert } from "node:assert";
import { MAX_PARENT_DEPTH } from "../../../functions/src/queue/config";
import {
  TASK_DOCUMENT_PATHS,
  isQueueParentPath,
  isQueueTaskPath,
  queueParentDepth,
} from "../../../functions/src/queue/model/task";

describe("model/task: the queue's paths", () => {
  it("isQueueTaskPath accepts a task under a parent at depth 1, 2 and 3", () => {
    for (const path of ["orders/o/tasks/t", "users/u/orders/o/tasks/t", "a/1/b/2/c/3/tasks/t"]) {
      assert.equal(isQueueTaskPath(path), true, path);
    }
  });

  it(`isQueueTaskPath refuses depth ${MAX_PARENT_DEPTH + 1}, other collections, empty segments and non-strings`, () => {
    const refused = [
      "a/1/b/2/c/3/d/4/tasks/t",
      "orders/o/items/t",
      "orders/o/tasks",
      "orders/o/tasks/",
      "orders//tasks/t",
      "/orders/o/tasks/t",
      "tasks/t",
      "orders/o/tasks/t/x",
      "",
      undefined,
      42,
    ];
    for (const path of refused) assert.equal(isQueueTaskPath(path), false, String(path));
  });

  it("isQueueParentPath and queueParentDepth: a document at depth 1 to 3", () => {
    assert.deepEqual(
      ["orders/o", "users/u/orders/o", "a/1/b/2/c/3", "a/1/b/2/c/3/d/4", "orders", "orders/o/tasks", ""].map(
        queueParentDepth,
      ),
      [1, 2, 3, undefined, undefined, undefined, undefined],
    );
    assert.equal(isQueueParentPath("users/u/orders/o"), true);
    assert.equal(isQueueParentPath("a/1/b/2/c/3/d/4"), false);
  });

  it("one trigger pattern per depth, each a fixed number of segments ending in tasks/{taskId}", () => {
    assert.equal(TASK_DOCUMENT_PATHS.length, MAX_PARENT_DEPTH);
    TASK_DOCUMENT_PATHS.forEach((pattern, i) => {
      const segments = pattern.split("/");
      assert.equal(segments.length, 2 * (i + 1) + 2, pattern);
      assert.deepEqual(segments.slice(-4), ["{collection}", "{parentId}", "tasks", "{taskId}"], pattern);
    });
  });
});
