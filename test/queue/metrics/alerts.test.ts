// Alerts on the emulator, against a webhook receiver on 127.0.0.1 that the test starts and stops: one notification
// when a handler's failures cross its rule, none while the incident lasts, one "resolved" when it clears; a
// notification the webhook refused is delivered by the next pass; two passes at once open one incident.
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { evaluateAlerts } from "../../../functions/src/queue/metrics/alerts";
import type { AlertNotification } from "../../../functions/src/queue/metrics/notify";
import { defineHandler, defineHandlers } from "../../../functions/src/queue/model/registry";
import { resolveAlertRule } from "../../../functions/src/queue/model/alerts";
import { adminDb, uniqueId } from "../../support/emulators";

const registry = defineHandlers({
  shop: {
    charge: defineHandler({ alert: { failedTasks: 3, windowMinutes: 3 } }, () => undefined),
    quiet: defineHandler({}, () => undefined),
  },
});
const KEY = "shop/charge";
const MINUTE = 60_000;
const start = Date.UTC(2026, 0, 1, 12, 0);
const minute = (i: number) => start + i * MINUTE;
const failures = (failed: number, completed = 0) => ({ handlers: { [KEY]: { completed, failed, buckets: {} } } });

describe("alerts", () => {
  let server: Server;
  let url: string;
  let received: AlertNotification[];
  let refuse = false;

  before(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        if (refuse) {
          response.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = [];
    refuse = false;
  });

  it("notifies once per incident, and once when it is resolved", async () => {
    const doc = `_taskQueueTest/${uniqueId("alerts")}`;
    const mailCollection = uniqueId("mail");
    const pass = (i: number, rollup: ReturnType<typeof failures>) =>
      evaluateAlerts(
        adminDb(),
        registry,
        minute(i),
        rollup,
        { webhookUrl: url, mailTo: ["ops@example.com"], mailCollection },
        doc,
      );

    assert.deepEqual((await pass(0, failures(2))).opened, []);
    assert.deepEqual((await pass(1, failures(1))).opened, [KEY], "3 failed in 3 minutes");
    await pass(2, failures(5));
    await pass(3, failures(4));
    assert.deepEqual(
      received.map((n) => n.kind),
      ["firing"],
      "one notification however long the incident lasts",
    );
    assert.equal(received[0].handler, KEY);
    assert.match(received[0].text, /shop\/charge is failing: 3 failed of 3 in the last 3 min/);

    // Minutes 4-6 are quiet: the window (4..6) holds no failure once minute 3 has left it.
    await pass(4, failures(0, 10));
    await pass(5, failures(0, 10));
    assert.deepEqual((await pass(6, failures(0, 10))).resolved, [KEY]);
    await pass(7, failures(0, 10));
    assert.deepEqual(
      received.map((n) => [n.kind, n.incident]),
      [
        ["firing", received[0].incident],
        ["resolved", received[0].incident],
      ],
    );
    const mail = await adminDb().collection(mailCollection).get();
    assert.deepEqual(mail.docs.map((d) => d.get("to")).flat(), ["ops@example.com", "ops@example.com"]);
    assert.match(mail.docs[0].get("message.subject"), /Task alert/);
  });

  it("keeps a notification the webhook refused and delivers it with the next pass", async () => {
    const doc = `_taskQueueTest/${uniqueId("alerts")}`;
    refuse = true;
    const first = await evaluateAlerts(adminDb(), registry, minute(0), failures(9), { webhookUrl: url }, doc);
    assert.equal(first.undelivered, 1);
    assert.deepEqual(received, []);
    refuse = false;
    const second = await evaluateAlerts(adminDb(), registry, minute(1), failures(9), { webhookUrl: url }, doc);
    assert.deepEqual(second.opened, [], "still the same incident");
    assert.equal(second.delivered, 1);
    assert.deepEqual(
      received.map((n) => n.kind),
      ["firing"],
    );
    const stored = (await adminDb().doc(doc).get()).data()!;
    assert.deepEqual(stored[KEY].pending, []);
  });

  it("opens one incident when two passes move the same alert at once", async () => {
    const doc = `_taskQueueTest/${uniqueId("alerts")}`;
    const both = await Promise.all(
      [0, 1].map(() => evaluateAlerts(adminDb(), registry, minute(0), failures(4), { webhookUrl: url }, doc)),
    );
    assert.equal(both.flatMap((r) => r.opened).length, 1);
    assert.equal(received.filter((n) => n.kind === "firing").length, 1);
  });

  it("validates rules with errors that name the fix", () => {
    assert.throws(() => resolveAlertRule({}), /needs failedTasks or failureRate/);
    assert.throws(() => resolveAlertRule({ failureRate: 20 }), /\(0, 1\] \(0.2 is 20%\)/);
    assert.throws(
      () => resolveAlertRule({ failedTasks: 3, windowMinutes: 120 }),
      /windowMinutes must be an integer in \[1, 60\]/,
    );
    assert.deepEqual(resolveAlertRule({ failureRate: 0.5 }), {
      failedTasks: null,
      failureRate: 0.5,
      windowMinutes: 15,
      minTasks: 10,
    });
  });
});
