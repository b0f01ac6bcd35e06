// enqueueTask from server code, on the Firestore emulator: with an id it is idempotent for the engine's own task,
// an error when the id is taken by a document the engine did not write (a client's task, another handler's), and
// it refuses a parent the deployed trigger does not serve instead of writing a task that would never run.
import assert from "node:assert/strict";
import { Timestamp } from "firebase-admin/firestore";
import { enqueueTask } from "../../../functions/src/queue/store/enqueue-task";
import { uniqueId } from "../../support/emulators";
import { newParent, newParentAt, waitForState } from "../../support/tasks";
import { MAX_PARENT_DEPTH } from "../../../functions/src/queue/config";
import "../../../functions/src/handlers"; // registers the schemas enqueueTask checks data against

/** A day ahead: the trigger hands the task to Cloud Tasks, so it stays `scheduled` while the test looks at it. */
const tomorrow = () => Timestamp.fromMillis(Date.now() + 24 * 3600_000);

describe("enqueueTask: server-side enqueue", () => {
  describe("with an id", () => {
    it("a second enqueue of the same request writes nothing and returns the same task", async () => {
      const parent = await newParent();
      const id = uniqueId("job");
      const request = { type: "demo", action: "noop", runAt: tomorrow() } as const;
      const first = await enqueueTask(parent, request, { id });
      const written = await first.get();
      const again = await enqueueTask(parent, request, { id });
      assert.equal(again.path, first.path);
      assert.equal((await again.get()).updateTime?.toMillis(), written.updateTime?.toMillis());
    });

    it("an id taken by another handler's task is an error naming the task, not a success", async () => {
      const parent = await newParent();
      const id = uniqueId("job");
      await enqueueTask(parent, { type: "demo", action: "noop", runAt: tomorrow() }, { id });
      await assert.rejects(
        enqueueTask(parent, { type: "demo", action: "sleep", data: { ms: 1 }, runAt: tomorrow() }, { id }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "enqueue/id-taken");
          assert.match(error.message, new RegExp(`${parent.path}/tasks/${id}`));
          assert.match(error.message, /demo\.noop/);
          return true;
        },
      );
      assert.equal((await parent.collection("tasks").doc(id).get()).get("action"), "noop");
    });

    it("an id taken by a client's task (createdBy) is an error, although it names the same handler", async () => {
      const parent = await newParent();
      const id = uniqueId("job");
      // What a client's create leaves (the rules force createdBy on every client create); written here with the
      // admin SDK. test/queue/attempt/context.test.ts does it through the rules.
      await parent
        .collection("tasks")
        .doc(id)
        .set({
          type: "demo",
          action: "noop",
          state: "scheduled",
          data: { chosenBy: "the client" },
          runAt: tomorrow(),
          createdAt: Timestamp.now(),
          createdBy: "user-1",
        });
      await assert.rejects(enqueueTask(parent, { type: "demo", action: "noop", runAt: tomorrow() }, { id }), {
        code: "enqueue/id-taken",
        message: /not enqueued by server code/,
      });
    });

    it("refuses an id with a slash (it would write a document below the task, which nothing runs)", async () => {
      const parent = await newParent();
      await assert.rejects(
        enqueueTask(parent, { type: "demo", action: "noop" }, { id: "a/sub/b" }),
        /a task id is one path segment/,
      );
      // Nor one that would make a task two levels down, under the `tasks` of a task.
      await assert.rejects(
        enqueueTask(parent, { type: "demo", action: "noop" }, { id: "a/tasks/b" }),
        /a task id is one path segment/,
      );
      assert.equal((await parent.collection("tasks").doc("a").collection("sub").doc("b").get()).exists, false);
    });
  });

  describe("data: checked against the handler's schema before anything is written", () => {
    it("refuses data the schema refuses with enqueue/invalid-data naming the field, and writes nothing", async () => {
      const parent = await newParent();
      const data = { customer: { name: "Ada" }, items: [{ sku: "a" }, { sku: 7 }] };
      await assert.rejects(
        // The compiler refuses it too (test/client/fixtures/typed-enqueue.ts): the cast stands for untyped callers.
        enqueueTask(parent, { type: "demo", action: "validated", data } as never),
        (error: Error & { code?: string; name?: string }) => {
          assert.equal(error.name, "PermanentError");
          assert.equal(error.code, "enqueue/invalid-data");
          assert.match(error.message, /^cannot enqueue demo\.validated: data\.items\[1\]\.sku: .*expected string/);
          return true;
        },
      );
      assert.equal((await parent.collection("tasks").get()).size, 0);
    });

    it("writes the data as given (the engine parses it before each run)", async () => {
      const parent = await newParent();
      const data = { customer: { name: "Ada" }, items: [{ sku: "a" }] };
      const ref = await enqueueTask(parent, { type: "demo", action: "validated", data, runAt: tomorrow() });
      assert.deepEqual((await ref.get()).get("data"), data);
    });
  });

  describe(`the parent: a document at depth 1 to ${MAX_PARENT_DEPTH}, the shapes the triggers watch`, () => {
    it(`refuses a parent at depth ${MAX_PARENT_DEPTH + 1} with an error naming the depths served, and writes nothing`, async () => {
      const deep = await newParentAt(MAX_PARENT_DEPTH + 1);
      await assert.rejects(enqueueTask(deep, { type: "demo", action: "noop" }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "enqueue/unsupported-parent");
        assert.match(error.message, new RegExp(deep.path));
        assert.match(error.message, new RegExp(`depth 1 to ${MAX_PARENT_DEPTH}`));
        return true;
      });
      assert.equal((await deep.collection("tasks").get()).size, 0);
    });

    for (let depth = 1; depth <= MAX_PARENT_DEPTH; depth++) {
      it(`enqueues under a parent at depth ${depth}, and the task runs`, async () => {
        const parent = await newParentAt(depth);
        const ref = await enqueueTask(parent, { type: "demo", action: "noop" });
        assert.equal(ref.parent.parent?.path, parent.path);
        assert.equal((await waitForState(ref)).get("state"), "completed");
      });
    }
  });
});
