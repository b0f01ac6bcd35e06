// What the search box understands, without a browser: every form of Firestore console link, paths with or without
// a leading slash, a parent's `tasks` collection, `by:<uid>`, and a bare id with and without a parent to look under.
import assert from "node:assert/strict";
import { parseSearch, pathFromConsoleUrl } from "../../web-admin/src/search";

const CONSOLE = "https://console.firebase.google.com/project/demo-p";

describe("search box: parseSearch and pathFromConsoleUrl", () => {
  it("reads the document path out of each form of console URL", () => {
    const path = "users/u 1/orders/o-1/tasks/t1";
    const escaped = "~2Fusers~2Fu%201~2Forders~2Fo-1~2Ftasks~2Ft1";
    for (const url of [
      `${CONSOLE}/firestore/databases/-default-/data/${escaped}`,
      `${CONSOLE}/firestore/databases/other-db/data/${escaped}?view=panel-view`,
      `${CONSOLE}/firestore/data/${escaped}`,
      `${CONSOLE}/firestore/data/~2Fusers~2Fu%201/${escaped}`, // a panel path in front: the last one is shown
      `${CONSOLE}/firestore/data/users/u%201/orders/o-1/tasks/t1`,
    ]) {
      assert.equal(pathFromConsoleUrl(url), path, url);
    }
    assert.equal(pathFromConsoleUrl("https://example.com/firestore/data/~2Fa~2Fb"), undefined);
    assert.equal(pathFromConsoleUrl(`${CONSOLE}/functions/list`), undefined);
  });

  it("tells a task, a parent, a creator and a bare id apart", () => {
    assert.deepEqual(parseSearch(" /orders/o-1/tasks/t1 ", {}), { kind: "task", path: "orders/o-1/tasks/t1" });
    assert.deepEqual(parseSearch("orders/o-1", {}), { kind: "filter", filter: { parent: "orders/o-1" } });
    assert.deepEqual(parseSearch("orders/o-1/tasks", {}), { kind: "filter", filter: { parent: "orders/o-1" } });
    assert.deepEqual(parseSearch("by:uid-7", {}), { kind: "filter", filter: { createdBy: "uid-7" } });
    assert.deepEqual(parseSearch("t1", { parent: "orders/o-1" }), { kind: "task", path: "orders/o-1/tasks/t1" });
    for (const input of ["t1", "", "a/b/c/d/e/f/g/h", "orders//o-1", "https://example.com/x"]) {
      assert.equal(parseSearch(input, {}).kind, "error", JSON.stringify(input));
    }
  });
});
