// Delays longer than any internal window start at their time, never before, within a second, on the emulator
// suite as in production: the Cloud Task waits until `runAt` (the suite's task scheduler holds it, since the
// emulator alone would deliver it at once), and the runner starts the attempt on the dot.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { newParent, waitForState, writeTask } from "../../support/tasks";

const SECOND = 1000;

describe("delayed tasks beyond the runner's early-delivery window", () => {
  it("a 20 s and a 2 min runAt each start at their time, within 1 s, never before", async () => {
    const parent = await newParent();
    const delays = [20 * SECOND, 120 * SECOND];
    const tasks = await Promise.all(
      delays.map(async (delay) => {
        const runAt = Timestamp.fromMillis(Date.now() + delay);
        return { delay, runAt, ref: await writeTask(parent, { type: "demo", action: "noop", runAt }) };
      }),
    );
    for (const { delay, runAt, ref } of tasks) {
      const done = await waitForState(ref, ["completed", "failed"], runAt.toMillis() - Date.now() + 15 * SECOND);
      assert.equal(done.get("state"), "completed", `the ${delay / SECOND} s task`);
      assert.equal(done.get("attempts"), 1);
      const late = (done.get("startedAt") as Timestamp).toMillis() - runAt.toMillis();
      assert.ok(late >= 0, `the ${delay / SECOND} s task started ${-late} ms early`);
      assert.ok(late <= SECOND, `the ${delay / SECOND} s task started ${late} ms late`);
    }
  }).timeout(180 * SECOND);
});
