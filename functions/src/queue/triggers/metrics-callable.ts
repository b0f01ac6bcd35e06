// The admin page's `queueMetrics({ range })` callable: the rollups of the last hour, day or week as chart points.
// The rollup collections are the engine's (the rules let no client read them), so the page reads them through this.
import { HttpsError, type CallableRequest } from "firebase-functions/https";
import { METRICS_RANGES, type MetricsRange, type MetricsSeries } from "../model/metrics";
import { readMetrics } from "../metrics/read-metrics";
import { db } from "../store/firestore";
import { requireAdmin } from "./admin-callables";

export async function handleQueueMetrics(request: CallableRequest<unknown>): Promise<MetricsSeries> {
  requireAdmin(request, "queueMetrics");
  const range = (request.data as { range?: unknown } | undefined)?.range ?? "hour";
  if (!METRICS_RANGES.includes(range as MetricsRange)) {
    throw new HttpsError("invalid-argument", `\`range\` must be one of ${METRICS_RANGES.join(", ")}.`);
  }
  return readMetrics(db(), range as MetricsRange);
}
