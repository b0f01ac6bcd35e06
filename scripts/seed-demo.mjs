#!/usr/bin/env node
// Demo data for `npm start`: a demo user owning `orders/demo-1`, an admin (`admin@example.com` /
// `admin-password`, custom claim `admin: true`) and tasks in every state. Most tasks are written `scheduled` and
// reach their state through the real engine, so the demo shows the queue at work rather than a staged picture.
// Usage (inside the emulators): node scripts/seed-demo.mjs [--keep-running]
import { getApps, initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { FieldValue, Timestamp, getFirestore } from "firebase-admin/firestore";
import { fileURLToPath } from "node:url";
import { seedMetricsHistory } from "./seed-metrics.mjs";

export const DEMO_USER = { uid: "demo-user", email: "demo@example.com", password: "demo-password" };
export const DEMO_ADMIN = { uid: "demo-admin", email: "admin@example.com", password: "admin-password" };
export const DEMO_ORDER = "orders/demo-1";

function requireEmulators() {
  for (const name of ["FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"]) {
    if (!process.env[name])
      throw new Error(`${name} is not set: run this through \`npm start\` (it starts the emulators).`);
  }
}

async function upsertUser(auth, { uid, email, password }, claims) {
  try {
    await auth.updateUser(uid, { email, password });
  } catch {
    await auth.createUser({ uid, email, password, emailVerified: true });
  }
  if (claims) await auth.setCustomUserClaims(uid, claims);
}

export async function seedDemo() {
  requireEmulators();
  if (!getApps().length) initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? "demo-taskqueue" });
  const auth = getAuth();
  const db = getFirestore();
  await upsertUser(auth, DEMO_USER);
  await upsertUser(auth, DEMO_ADMIN, { admin: true });

  const order = db.doc(DEMO_ORDER);
  await order.set({ ownerId: DEMO_USER.uid, customerEmail: DEMO_USER.email, total: 4200, currency: "EUR" });
  const tasks = order.collection("tasks");
  // `shard: 0` is what the client library writes with the default SHARDS.count (1): a task without one would be
  // missing from the admin page's lists until the engine first writes it (docs/scale.md).
  const created = { createdAt: FieldValue.serverTimestamp(), createdBy: DEMO_USER.uid, shard: 0 };
  const inAnHour = Timestamp.fromMillis(Date.now() + 3600_000);
  const seeds = [
    // Run by the engine now:
    { type: "order", action: "sendConfirmationEmail", state: "scheduled", data: {}, ...created },
    {
      type: "inventory",
      action: "mutations.initiateOrderProcessing",
      state: "scheduled",
      data: { warehouse: "berlin" },
      ...created,
    },
    {
      type: "demo",
      action: "fail",
      state: "scheduled",
      data: { reason: "payment provider declined the card" },
      ...created,
    },
    { type: "demo", action: "flaky", state: "scheduled", data: { failTimes: 3 }, ...created },
    { type: "demo", action: "sleep", state: "scheduled", data: { ms: 5000 }, ...created },
    { type: "unknown", action: "handler", state: "scheduled", data: {}, ...created },
    // Delayed: runs in an hour unless an admin presses "Run now" or cancels it.
    {
      type: "order",
      action: "sendConfirmationEmail",
      state: "scheduled",
      data: {},
      runAt: inAnHour,
      ...created,
    },
    // Already cancelled by an admin.
    { type: "demo", action: "noop", state: "cancelled", data: {}, ...created },
  ];
  await Promise.all(seeds.map((task) => tasks.add(task)));
  // A week of metrics history, so the metrics view's charts show something from the start.
  const history = await seedMetricsHistory(db);
  return { order: order.path, tasks: seeds.length, history };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = await seedDemo();
  const hosting = process.env.HOSTING_EMULATOR_ORIGIN ?? "http://127.0.0.1:5050";
  console.log(`
  Task queue demo is running.

    Admin page     ${hosting}   (sign in as ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password})
    Firestore      ${process.env.FIRESTORE_EMULATOR_HOST}
    Auth           ${process.env.FIREBASE_AUTH_EMULATOR_HOST}
    Functions      ${process.env.FUNCTIONS_EMULATOR_ORIGIN}
    Cloud Tasks    ${process.env.CLOUD_TASKS_EMULATOR_HOST}
    Emulator log   ${process.env.EMULATOR_LOG}

  Seeded ${summary.order} (owner ${DEMO_USER.email} / ${DEMO_USER.password}) with ${summary.tasks} tasks, and
  ${summary.history.hours} hours and ${summary.history.minutes} minutes of made-up metrics history (Metrics view).
  The stuck-task sweeper runs every minute here too (the emulator suite runs it: scheduled functions are not
  emulated); its lines are in the emulator log.
  Press Ctrl-C to stop.
`);
  if (process.argv.includes("--keep-running")) {
    // Nothing to do but wait: the emulators (and the sweeper beside them) stop when this process exits.
    const timer = setInterval(() => undefined, 1 << 30);
    const stop = () => {
      clearInterval(timer);
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }
}
