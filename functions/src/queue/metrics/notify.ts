// Where an alert goes: a webhook (POST of JSON) and, optionally, a `mail` document for the Trigger Email extension.
// Each notification carries an id (incident and kind) so a receiver can drop a repeat; the mail document is
// created under that id, so it is written once whatever happens.
import type { Firestore } from "firebase-admin/firestore";
import { isAlreadyExists } from "../store/status-codes";

export interface AlertNotification {
  /** `{handler}@{minute}:{kind}`: one per incident and kind. */
  id: string;
  kind: "firing" | "resolved";
  /** The handler's key (`type/action`). */
  handler: string;
  incident: string;
  /** Counts over the alert's window when it moved. */
  window: { completed: number; failed: number; minutes: number };
  text: string;
  at: string;
  /** The minute whose pass made it (epoch ms). */
  passMinute: number;
}

export interface AlertChannels {
  /** POSTed to as JSON; from the `TASK_QUEUE_ALERT_WEBHOOK_URL` environment variable (functions/.env) by default. */
  webhookUrl?: string;
  /** Addresses for a `mail` document; from `TASK_QUEUE_ALERT_MAIL_TO` (comma-separated) by default. */
  mailTo?: string[];
  /** The Trigger Email extension's collection (default `mail`). */
  mailCollection?: string;
}

const WEBHOOK_TIMEOUT_MS = 10_000;

export function channelsFromEnv(env = process.env): AlertChannels {
  const mailTo = (env.TASK_QUEUE_ALERT_MAIL_TO ?? "")
    .split(",")
    .map((address) => address.trim())
    .filter(Boolean);
  return {
    ...(env.TASK_QUEUE_ALERT_WEBHOOK_URL ? { webhookUrl: env.TASK_QUEUE_ALERT_WEBHOOK_URL } : {}),
    ...(mailTo.length > 0 ? { mailTo } : {}),
  };
}

/** Sends one notification to every channel; throws (and the pass tries again next minute) if one fails. */
export async function deliver(db: Firestore, channels: AlertChannels, note: AlertNotification): Promise<void> {
  if (channels.webhookUrl) {
    const response = await fetch(channels.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(note),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the alert webhook answered ${response.status} ${response.statusText}`);
  }
  if (channels.mailTo?.length) {
    const ref = db.collection(channels.mailCollection ?? "mail").doc(note.id.replace(/\//g, "_"));
    try {
      await ref.create({ to: channels.mailTo, message: { subject: note.text, text: JSON.stringify(note, null, 2) } });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error; // sent on an earlier try
    }
  }
}
