// The metrics view's data: one `queueMetrics` call per range shown. The rollups are the engine's documents (no
// client reads them through the rules), so the callable reads them: 60 for the hour, 24 or 168 for the day or week.
import { httpsCallable, type Functions } from "firebase/functions";
import type { MetricsRange, MetricsSeries } from "./contract";

export async function fetchMetrics(functions: Functions, range: MetricsRange): Promise<MetricsSeries> {
  const call = httpsCallable<{ range: MetricsRange }, MetricsSeries>(functions, "queueMetrics");
  return (await call({ range })).data;
}
