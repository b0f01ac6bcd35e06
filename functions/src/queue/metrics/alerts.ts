// Alerts, evaluated once a minute from the minute's rollup, so they cost nothing per task. The state of every
// handler's alert is one document (`_taskQueue/alerts`): its window's counts per minute, whether it fires, its
// incident, and the notifications not yet delivered. A transition (quiet -> firing, firing -> resolved) is made in a
// transaction on that document, so two passes never both open or close an incident: one notification per incident,
// one "resolved" when it clears, whatever the failure rate does in between. A notification that could not be
// delivered stays in the document and is tried again by the next pass.
import { Firestore, type Transaction } from "firebase-admin/firestore";
import { METRICS } from "../config";
import { alertFires, type ResolvedAlertRule } from "../model/alerts";
import { handlerKey, rollupId, type RollupDocument } from "../model/metrics";
import type { Registry } from "../model/handler";
import { metricsLog } from "../logs";
import { deliver, type AlertChannels, type AlertNotification } from "./notify";

/** One handler's alert, as stored. */
export interface AlertState {
  /** Minute id -> [completed, failed], the minutes of the window only. */
  window: Record<string, [number, number]>;
  firing: boolean;
  incident?: string;
  /** Notifications to deliver, oldest first (at most PENDING_LIMIT). */
  pending: AlertNotification[];
}
type AlertsDocument = Record<string, AlertState>;

const PENDING_LIMIT = 10;
const MINUTE_MS = 60_000;

export interface AlertPassResult {
  /** Transitions made by this pass. */
  opened: string[];
  resolved: string[];
  delivered: number;
  undelivered: number;
}

/** Adds the minute to each alert's window, moves the alerts that cross their rule, delivers what is pending. */
export async function evaluateAlerts(
  db: Firestore,
  registry: Registry,
  minuteMs: number,
  rollup: Pick<RollupDocument, "handlers">,
  channels: AlertChannels,
  documentPath = METRICS.alertsDocument,
): Promise<AlertPassResult> {
  const rules = registry
    .list()
    .filter((h) => h.options.alert)
    .map((h) => ({ key: handlerKey(h.type, h.action), rule: h.options.alert as ResolvedAlertRule }));
  const result: AlertPassResult = { opened: [], resolved: [], delivered: 0, undelivered: 0 };
  if (rules.length === 0) return result;
  const ref = db.doc(documentPath);
  const toDeliver = await db.runTransaction(async (tx: Transaction) => {
    result.opened = [];
    result.resolved = [];
    const madeNow = new Set<string>();
    const stored = ((await tx.get(ref)).data() ?? {}) as AlertsDocument;
    const next: AlertsDocument = {};
    for (const { key, rule } of rules) {
      const state = stored[key] ?? { window: {}, firing: false, pending: [] };
      const counts = rollup.handlers[key];
      const window = slideWindow(state.window, minuteMs, rule.windowMinutes, [
        counts?.completed ?? 0,
        counts?.failed ?? 0,
      ]);
      const sums = Object.values(window).reduce(
        (acc, [c, f]) => ({ completed: acc.completed + c, failed: acc.failed + f }),
        {
          completed: 0,
          failed: 0,
        },
      );
      const fires = alertFires(rule, sums);
      const moved = { ...state, window, pending: [...(state.pending ?? [])] };
      if (fires !== state.firing) {
        const kind = fires ? "firing" : "resolved";
        const incident = fires ? `${key}@${rollupId(minuteMs, "minute")}` : (state.incident ?? key);
        moved.firing = fires;
        moved.incident = incident;
        const note = notification(kind, key, incident, rule, sums, minuteMs);
        madeNow.add(note.id);
        moved.pending = [...moved.pending, note].slice(-PENDING_LIMIT);
        (fires ? result.opened : result.resolved).push(key);
      }
      next[key] = moved;
    }
    tx.set(ref, next);
    // This pass delivers what it made, and what an earlier minute's pass left undelivered; not what a pass of the
    // same minute running beside it made (that pass delivers it): a notification is sent once.
    return rules
      .flatMap(({ key }) => next[key].pending)
      .filter((note) => madeNow.has(note.id) || note.passMinute < minuteMs);
  });
  // Delivered ones leave the document; a failed one stays for the next pass (receivers dedupe by `id`).
  const delivered: string[] = [];
  for (const note of toDeliver) {
    try {
      await deliver(db, channels, note);
      delivered.push(note.id);
    } catch (error) {
      result.undelivered++;
      metricsLog.alertUndelivered(note.id, String((error as Error)?.message ?? error));
    }
  }
  result.delivered = delivered.length;
  if (delivered.length > 0) await forgetDelivered(db, ref, delivered);
  return result;
}

/** The window with this minute's counts, and without the minutes that left it. */
function slideWindow(
  window: Record<string, [number, number]>,
  minuteMs: number,
  minutes: number,
  counts: [number, number],
): Record<string, [number, number]> {
  const oldest = rollupId(minuteMs - (minutes - 1) * MINUTE_MS, "minute");
  const kept = Object.entries(window ?? {}).filter(([id]) => id >= oldest);
  return Object.fromEntries([...kept, [rollupId(minuteMs, "minute"), counts]]);
}

function notification(
  kind: "firing" | "resolved",
  handler: string,
  incident: string,
  rule: ResolvedAlertRule,
  window: { completed: number; failed: number },
  passMinute: number,
): AlertNotification {
  const ended = window.completed + window.failed;
  const rate = ended > 0 ? Math.round((100 * window.failed) / ended) : 0;
  const counts = `${window.failed} failed of ${ended} in the last ${rule.windowMinutes} min (${rate}%)`;
  return {
    id: `${incident}:${kind}`,
    kind,
    handler,
    incident,
    window: { ...window, minutes: rule.windowMinutes },
    text:
      kind === "firing" ? `Task alert: ${handler} is failing: ${counts}` : `Task alert resolved: ${handler}: ${counts}`,
    at: new Date().toISOString(),
    passMinute,
  };
}

async function forgetDelivered(db: Firestore, ref: FirebaseFirestore.DocumentReference, ids: string[]) {
  await db.runTransaction(async (tx) => {
    const stored = ((await tx.get(ref)).data() ?? {}) as AlertsDocument;
    for (const state of Object.values(stored)) state.pending = (state.pending ?? []).filter((n) => !ids.includes(n.id));
    tx.set(ref, stored);
  });
}
