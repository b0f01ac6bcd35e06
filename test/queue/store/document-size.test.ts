// The stored-size calculator against Firestore's documented examples, and against the emulator, which refuses a
// document one byte over 1 MiB by exactly this count.
import { strict as assert } from "node:assert";
import { FieldValue, GeoPoint, Timestamp } from "firebase-admin/firestore";
import {
  documentNameSize,
  documentSize,
  documentSizeAfter,
  FIRESTORE_LIMITS,
  indexEntries,
  stringSize,
  valueSize,
} from "../../../functions/src/queue/store/document-size";
import { adminDb, uniqueId } from "../../support/emulators";

describe("stored size (firebase.google.com/docs/firestore/storage-size)", () => {
  it("counts strings as UTF-8 bytes + 1", () => {
    assert.equal(stringSize("tasks"), 6);
    assert.equal(stringSize("description"), 12);
    assert.equal(stringSize("é"), 3);
    assert.equal(stringSize("😀"), 5);
  });

  it("counts a document name as its collection and document ids + 16", () => {
    assert.equal(documentNameSize("users/jeff/tasks/my_task_id"), 44);
  });

  it("counts the documented task document as 147 bytes", () => {
    const fields = { type: "Personal", done: false, priority: 1, description: "Learn Cloud Firestore" };
    assert.equal(documentSize("users/jeff/tasks/my_task_id", fields), 147);
  });

  it("counts each value type as documented", () => {
    assert.equal(valueSize(true), 1);
    assert.equal(valueSize(null), 1);
    assert.equal(valueSize(1), 8);
    assert.equal(valueSize(1.5), 8);
    assert.equal(valueSize(Timestamp.now()), 8);
    assert.equal(valueSize(new Date()), 8);
    assert.equal(valueSize(new GeoPoint(1, 2)), 16);
    assert.equal(valueSize(Buffer.from([1, 2, 3])), 3);
    assert.equal(valueSize(adminDb().doc("users/jeff/tasks/my_task_id")), 44);
    assert.equal(valueSize(FieldValue.vector([1, 2, 3])), 24);
    assert.equal(valueSize(FieldValue.serverTimestamp()), 8);
    assert.equal(valueSize(["a", 1, false]), 2 + 8 + 1, "an array is the sum of its values");
    assert.equal(valueSize({ done: false, n: { x: 1 } }), 5 + 1 + (2 + (2 + 8)), "a map is its names and values");
    assert.equal(valueSize({ skipped: undefined }), 0, "undefined is not stored");
  });

  it("applies an update: replaced and deleted fields, server timestamps", () => {
    const path = "users/jeff/tasks/my_task_id";
    const fields = { type: "Personal", done: false };
    const update = { done: FieldValue.delete(), type: "x", at: FieldValue.serverTimestamp() };
    assert.equal(documentSizeAfter(path, fields, update), documentSize(path, { type: "x", at: Timestamp.now() }));
  });
});

describe("index entries of automatic single-field indexing", () => {
  it("are two per value, maps and arrays counted whole as well as by field and by distinct element", () => {
    assert.equal(indexEntries("a"), 2);
    assert.equal(indexEntries({ a: 1, b: { c: 2 } }), 2 + 2 + (2 + 2));
    assert.equal(indexEntries([1, 1, 2, "1", null]), 2 + 4);
    assert.equal(indexEntries(undefined), 0);
  });
});

describe("the Firestore emulator's 1 MiB limit", () => {
  const limit = FIRESTORE_LIMITS.documentBytes;
  const fillTo = (path: string, bytes: number) => {
    const fields = { data: { rows: Array.from({ length: 100_000 }, (_, i) => i % 10) }, pad: "" };
    fields.pad = "x".repeat(bytes - documentSize(path, fields));
    return fields;
  };

  it("takes a document of exactly 1,048,576 bytes by this count, and refuses one byte more", async () => {
    const parent = adminDb().collection("sizes").doc(uniqueId());
    const exact = parent.collection("tasks").doc("exact");
    await exact.set(fillTo(exact.path, limit));
    const over = parent.collection("tasks").doc("over");
    await assert.rejects(over.set(fillTo(over.path, limit + 1)), /INVALID_ARGUMENT|maximum entity size/);
  });
});
