// The metrics pass, once a minute with the schedules' pass (`runSchedules`): rolls up the last settled minute
// (metrics/rollup.ts), then moves and notifies the alerts from it (metrics/alerts.ts). Tests call it with a clock of
// their own; `rollUpMinute` alone rolls up any given minute.
import { db } from "../store/firestore";
import { metricsLog } from "../logs";
import type { Registry } from "../model/handler";
import { minuteToRollUp, rollUpMinute, type MinuteRollup } from "../metrics/rollup";
import { evaluateAlerts, type AlertPassResult } from "../metrics/alerts";
import { channelsFromEnv, type AlertChannels } from "../metrics/notify";

export interface MetricsPassOptions {
  now?: Date;
  /** Where alerts go; by default from the environment (`TASK_QUEUE_ALERT_WEBHOOK_URL`, `TASK_QUEUE_ALERT_MAIL_TO`). */
  channels?: AlertChannels;
  /** The alerts' state document (tests use their own). */
  alertsDocument?: string;
}

export async function runMetricsPass(
  registry: Registry,
  options: MetricsPassOptions = {},
): Promise<{ rollup: MinuteRollup; alerts: AlertPassResult }> {
  const minute = minuteToRollUp(options.now ?? new Date());
  const rollup = await rollUpMinute(db(), registry, minute);
  const channels = options.channels ?? channelsFromEnv();
  const alerts = await evaluateAlerts(db(), registry, minute, rollup.doc, channels, options.alertsDocument);
  metricsLog.passFinished({
    minute: new Date(minute).toISOString(),
    ended: rollup.doc.total.completed + rollup.doc.total.failed,
    written: rollup.written,
    queries: rollup.queries,
    ...alerts,
  });
  return { rollup, alerts };
}
