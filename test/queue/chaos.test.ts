// Chaos run: 500 tasks whose handler fails transiently 30% of the time, 10 of them with a worker that "crashed"
// mid-attempt. When the run settles every task is completed or failed, none is stuck, and the counts add up.
import { strict as assert } from "node:assert";
import type { DocumentReference } from "firebase-admin/firestore";
import { sweep } from "../../functions/src/queue/triggers/sweep-tasks";
import { handlers } from "../../functions/src/handlers";
import { adminDb } from "../support/emulators";
import { crashedTask, newParent, newTask, waitForState } from "../support/tasks";

const TOTAL = 500;
const CRASHED = 10;

describe("chaos run", () => {
  it(`${TOTAL} tasks, 30% transient failures and ${CRASHED} crashed workers, all settle`, async function () {
    this.timeout(300_000);
    const started = Date.now();
    const parents = await Promise.all(Array.from({ length: 10 }, () => newParent("chaos")));
    const writer = adminDb().bulkWriter();
    const refs: DocumentReference[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const ref = parents[i % parents.length].collection("tasks").doc();
      const fields = { type: "demo", action: "chaos", data: { failRate: 0.3 } };
      writer.set(ref, i < CRASHED ? crashedTask({ ...fields, attempts: 1, maxAttempts: 10 }) : newTask(fields));
      refs.push(ref);
    }
    await writer.close();

    // The deployed trigger works through the scheduled ones; the sweeper (every minute in production) finds
    // the crashed ones. Sweep a few times while the run is in flight, as the schedule would.
    const settled = Promise.all(refs.map((ref) => waitForState(ref, ["completed", "failed"], 280_000)));
    const sweeps = (async () => {
      for (let i = 0; i < 3; i++) await sweep(handlers);
    })();
    const [final] = await Promise.all([settled, sweeps]);

    const counts: Record<string, number> = {};
    for (const snap of final) counts[snap.get("state")] = (counts[snap.get("state")] ?? 0) + 1;
    const attempts = final.reduce((sum, snap) => sum + snap.get("attempts"), 0);
    const seconds = (Date.now() - started) / 1000;
    console.log(`      chaos: ${JSON.stringify(counts)}, ${attempts} attempts, settled in ${seconds.toFixed(1)} s`);

    assert.equal((counts.completed ?? 0) + (counts.failed ?? 0), TOTAL);
    const stuck = await adminDb()
      .collectionGroup("tasks")
      .where("state", "in", ["running", "scheduled"])
      .where("type", "==", "demo")
      .where("action", "==", "chaos")
      .get();
    assert.equal(
      stuck.docs.filter((d) => refs.some((r) => r.path === d.ref.path)).length,
      0,
      "none running or scheduled",
    );
    for (const snap of final.slice(0, CRASHED)) {
      assert.equal(snap.get("history")[0].error.code, "handler/lease-expired", "crashed attempt recorded");
    }
  });
});
