#!/usr/bin/env node
// `npm run backfill-shards -- [--project <id>]`: gives every queue task that has no `shard` the shard of its id,
// once, after upgrading a deployed project to the sharded indexes (docs/scale.md, docs/operations.md). Tasks
// written before the upgrade have no shard, so the sharded queries (the admin page's lists, the sweeper's walks by
// time) would not see them until the engine next writes them. Reads every task once, writes each one without a
// shard once, through BulkWriter (which follows Firestore's 500/50/5 ramp-up). Talks to the Firestore emulator by
// default; `--project <id>` with a real project id changes that project, with Application Default Credentials.
// Needs the built functions (`npm run build`): it uses the engine's own definitions of the shard and a task's path.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { FieldPath, getFirestore } from "firebase-admin/firestore";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const USAGE = `usage: npm run backfill-shards -- [--project <id>] [--collection <name>]

  --project <id>        a real Firebase project (default: the Firestore emulator of the demo project)
  --collection <name>   only the tasks under this top-level collection (default: every task)`;

function engine() {
  try {
    const { SHARD_FIELD, taskShard } = require(join(ROOT, "functions/lib/queue/model/index-shard.js"));
    const { TASKS_COLLECTION, isQueueTaskPath } = require(join(ROOT, "functions/lib/queue/model/task.js"));
    return { SHARD_FIELD, taskShard, TASKS_COLLECTION, isQueueTaskPath };
  } catch (error) {
    throw new Error(`build the functions first (npm run build): ${error.message}`);
  }
}

/**
 * Writes the shard of its id on every queue task without one (under the top-level `collection` only, if given),
 * conditioned on the version read (a task the engine wrote meanwhile has its shard already). Resolves with the
 * tasks read and the tasks given a shard.
 */
export async function backfillShards(db, { pageSize = 500, collection } = {}) {
  const { SHARD_FIELD, taskShard, TASKS_COLLECTION, isQueueTaskPath } = engine();
  const writer = db.bulkWriter();
  writer.onWriteError((error) => error.code !== 9 && error.failedAttempts < 10); // 9: FAILED_PRECONDITION, final
  const writes = [];
  let read = 0;
  let after;
  let base = db.collectionGroup(TASKS_COLLECTION);
  if (collection) {
    // Every task under `collection/...` sorts from `collection/\0` to before `collection\0/\0`, and nothing else.
    base = base
      .where(FieldPath.documentId(), ">=", `${collection}/\u0000`)
      .where(FieldPath.documentId(), "<", `${collection}\u0000/\u0000`);
  }
  base = base.orderBy(FieldPath.documentId()).select(SHARD_FIELD).limit(pageSize);
  for (;;) {
    const page = await (after ? base.startAfter(after) : base).get();
    read += page.size;
    for (const doc of page.docs) {
      if (!isQueueTaskPath(doc.ref.path) || doc.get(SHARD_FIELD) !== undefined) continue;
      const update = { [SHARD_FIELD]: taskShard(doc.id) };
      writes.push(
        writer.update(doc.ref, update, { lastUpdateTime: doc.updateTime }).then(
          () => 1,
          () => 0,
        ),
      );
    }
    if (page.size < pageSize) break;
    after = page.docs[page.size - 1];
  }
  await writer.close();
  const sharded = (await Promise.all(writes)).reduce((sum, n) => sum + n, 0);
  return { read, sharded };
}

function firestoreEmulatorHost() {
  if (process.env.FIRESTORE_EMULATOR_HOST) return process.env.FIRESTORE_EMULATOR_HOST;
  const { host, port } = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8")).emulators.firestore;
  return `${host}:${port + Number(process.env.EMULATOR_PORT_OFFSET ?? 0)}`;
}

function defaultProject() {
  if (process.env.GCLOUD_PROJECT) return process.env.GCLOUD_PROJECT;
  return JSON.parse(readFileSync(join(ROOT, ".firebaserc"), "utf8")).projects.default;
}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { project: { type: "string" }, collection: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const projectId = values.project ?? defaultProject();
  const real = values.project !== undefined && !values.project.startsWith("demo-");
  if (real) delete process.env.FIRESTORE_EMULATOR_HOST;
  else process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulatorHost();
  const where = real ? `project ${projectId}` : `Firestore emulator ${process.env.FIRESTORE_EMULATOR_HOST}`;
  const db = getFirestore(initializeApp({ projectId }, "backfill-shards"));
  const { read, sharded } = await backfillShards(db, { collection: values.collection });
  console.log(`Read ${read} tasks on ${where}; gave ${sharded} of them their shard.`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error.message ?? error);
      process.exit(1);
    },
  );
}
