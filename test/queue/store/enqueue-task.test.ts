// enqueueTask from server code, on the Firestore emulator: with an id it is idempotent for the engine's own task,
// and an error when the id is taken by a document the engine did not write (a client's task, another handler's).
import assert from "node:assert/strict";
import { Timestamp } from "firebase-admin/firestore";
import { enqueueTask } from "../../../functions/src/queue/store/enqueue-task";
import { uniqueId } from "../../support/emulators";
import { newParent } from "../../support/tasks";

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
  });
});
