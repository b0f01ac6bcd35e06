// The emulator suite's task scheduler holds a Cloud Task until its scheduleTime, as Cloud Tasks does and the
// emulator does not: tested against a stand-in emulator that records what reaches it and when.
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

const LIB = join(__dirname, "..", "..", "..", "scripts", "lib", "task-scheduler.mjs");
const QUEUE = "/projects/p/locations/us-central1/queues/runTask";

interface Arrival {
  method: string;
  url: string;
  name?: string;
  at: number;
}

describe("the emulator suite's task scheduler", () => {
  let upstream: Server;
  let arrivals: Arrival[];
  let scheduler: { port: number; close(): Promise<void>; held(): number };
  let base: string;

  beforeEach(async () => {
    arrivals = [];
    upstream = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        const name = body ? JSON.parse(body).task?.name : undefined;
        arrivals.push({ method: request.method ?? "", url: request.url ?? "", name, at: Date.now() });
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const { startTaskScheduler } = await import(LIB);
    scheduler = await startTaskScheduler({ host: "127.0.0.1", port: 0, upstream: `127.0.0.1:${upstreamPort}` });
    base = `http://127.0.0.1:${scheduler.port}`;
  });

  afterEach(async () => {
    await scheduler.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const enqueue = (id: string, scheduleTime?: Date) =>
    fetch(`${base}${QUEUE}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        task: { name: `${QUEUE.slice(1)}/tasks/${id}`, scheduleTime: scheduleTime?.toISOString() },
      }),
    });

  it("passes a task that is due now straight to the emulator", async () => {
    assert.equal((await enqueue("now")).status, 200);
    assert.equal(arrivals.length, 1);
    assert.equal(scheduler.held(), 0);
  });

  it("holds a delayed task and hands it over shortly before its time, never much earlier", async () => {
    // Far enough ahead that a slow, loaded machine still sees it held: it is handed over 4 s before its time.
    const dueAt = Date.now() + 8000;
    assert.equal((await enqueue("later", new Date(dueAt))).status, 200);
    assert.equal(arrivals.length, 0, "not forwarded at once");
    assert.equal(scheduler.held(), 1);
    await new Promise((resolve) => setTimeout(resolve, dueAt - 4000 - 1000 - Date.now()));
    assert.equal(arrivals.length, 0, "still held 5 s before its time");
    await new Promise((resolve) => setTimeout(resolve, dueAt - 4000 + 1000 - Date.now()));
    assert.equal(arrivals.length, 1);
    const early = dueAt - arrivals[0].at;
    assert.ok(early >= 0 && early <= 4100, `forwarded ${early} ms before its time (the runner waits out up to 5 s)`);
  });

  it("refuses a second task with the name of a held one, as Cloud Tasks refuses a duplicate id", async () => {
    const later = new Date(Date.now() + 60_000);
    assert.equal((await enqueue("dup", later)).status, 200);
    assert.equal((await enqueue("dup", later)).status, 409);
    assert.equal(scheduler.held(), 1);
  });

  it("forgets a held task that is deleted, and passes other requests through", async () => {
    await enqueue("gone", new Date(Date.now() + 60_000));
    const deleted = await fetch(`${base}${QUEUE}/tasks/gone`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal(scheduler.held(), 0);
    assert.equal(arrivals.length, 0, "a held task's delete never reaches the emulator");
    await fetch(`${base}${QUEUE}/tasks/other`, { method: "DELETE" });
    assert.deepEqual(
      arrivals.map((a) => [a.method, a.url]),
      [["DELETE", `${QUEUE}/tasks/other`]],
    );
  });
});
