// The metrics view's data: the last hour from minute rollups (60 reads at most), the last day or week from hour
// rollups (24 or 168 reads at most), as chart points per handler and overall. A minute or hour without a rollup
// had nothing end in it.
import type { Firestore, Timestamp } from "firebase-admin/firestore";
import { RANGE_SPANS, toPoint, type MetricsRange, type MetricsSeries, type RollupDocument } from "../model/metrics";
import { rollupsQuery } from "./metric-queries";

export async function readMetrics(db: Firestore, range: MetricsRange, now = new Date()): Promise<MetricsSeries> {
  const { points, stepMs, unit } = RANGE_SPANS[range];
  const last = Math.floor(now.getTime() / stepMs) * stepMs;
  const first = last - (points - 1) * stepMs;
  const snapshot = await rollupsQuery(db, unit, first).get();
  const byStep = new Map<number, RollupDocument<Timestamp>>();
  for (const doc of snapshot.docs) {
    const data = doc.data() as RollupDocument<Timestamp>;
    byStep.set(data.at.toMillis(), data);
  }
  const steps = Array.from({ length: points }, (_, i) => first + i * stepMs);
  const keys = new Set([...byStep.values()].flatMap((d) => Object.keys(d.handlers ?? {})));
  return {
    range,
    stepMs,
    total: steps.map((at) => toPoint(at, byStep.get(at)?.total)),
    handlers: Object.fromEntries(
      [...keys].sort().map((key) => [key, steps.map((at) => toPoint(at, byStep.get(at)?.handlers?.[key]))]),
    ),
    documents: snapshot.size,
  };
}
