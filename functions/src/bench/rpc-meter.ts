// Counts the Firestore requests the functions make, from below the engine: it wraps the Firestore client's two
// request funnels, so every read and write is seen whichever engine module issues it. One structured log line per
// request that touches a metered collection; `npm run bench` reads them back from the emulator's log and adds
// them up per task. The funnels are internal to @google-cloud/firestore: if they move, the meter says so in the log
// and the bench reports the counts as unmeasured instead of guessing.
import { Firestore } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { DEDUP, FANOUT } from "../queue/config";

/**
 * Root collections whose documents are metered: the bench's counting tasks, and its drains through the engine and
 * through the plain design (bench/config.ts names them too); and the engine's fan-in groups and dedup locks, whose
 * writes the workflow scenarios count (bench/workflows.ts). Nothing else is, so `npm start` and the test suites get
 * no extra log lines beyond fan-outs' and dedup keys'.
 */
export const METERED_COLLECTIONS = new Set([
  "benchCounts",
  "benchDrain",
  "benchPlain",
  FANOUT.collection,
  DEDUP.locksCollection,
]);
const METER_LOG_MESSAGE = "bench: firestore request";

const READ_METHODS = new Set(["batchGetDocuments", "runQuery", "runAggregationQuery", "listDocuments"]);
const WRITE_METHODS = new Set(["commit", "batchWrite"]);

interface WriteProto {
  update?: { name?: string };
  delete?: string;
  transform?: { document?: string };
}
interface RequestProto {
  writes?: WriteProto[];
  documents?: string[];
  parent?: string;
}
type Funnel = (this: unknown, method: string, ...rest: unknown[]) => unknown;

/** Document paths relative to the database root (`benchCounts/p/tasks/t`). */
function documentPaths(method: string, request: RequestProto | undefined): string[] {
  const names =
    method === "commit" || method === "batchWrite"
      ? (request?.writes ?? []).map((w) => w.update?.name ?? w.delete ?? w.transform?.document ?? "")
      : method === "batchGetDocuments"
        ? (request?.documents ?? [])
        : [request?.parent ?? ""];
  return names.map((name) => name.replace(/^projects\/[^/]+\/databases\/[^/]+\/documents\/?/, ""));
}

function record(method: string, request: unknown): void {
  if (!READ_METHODS.has(method) && !WRITE_METHODS.has(method)) return;
  const paths = documentPaths(method, request as RequestProto);
  if (!paths.some((path) => METERED_COLLECTIONS.has(path.split("/")[0]))) return;
  logger.info(METER_LOG_MESSAGE, {
    fn: process.env.FUNCTION_TARGET ?? "unknown",
    pid: process.pid,
    method,
    kind: READ_METHODS.has(method) ? "read" : "write",
    writes: WRITE_METHODS.has(method) ? paths.length : 0,
    paths,
  });
}

let installed = false;

/** Wraps the request funnels once per process. */
export function installRpcMeter(): void {
  if (installed) return;
  installed = true;
  const proto = Firestore.prototype as unknown as Record<string, Funnel | undefined>;
  const request = proto.request;
  const requestStream = proto.requestStream;
  if (typeof request !== "function" || typeof requestStream !== "function") {
    logger.warn("bench: firestore request meter unavailable (client internals changed)");
    return;
  }
  proto.request = function (this: unknown, method: string, ...rest: unknown[]) {
    record(method, rest[0]);
    return request.call(this, method, ...rest);
  };
  proto.requestStream = function (this: unknown, method: string, ...rest: unknown[]) {
    record(method, rest[1]); // (method, bidirectional, request, tag)
    return requestStream.call(this, method, ...rest);
  };
}
