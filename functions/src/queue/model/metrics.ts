// The metrics rollups: what one minute or one hour of outcomes looks like, how a run's duration is bucketed, and
// percentiles from buckets. Types and pure functions only: the engine writes these shapes, the admin page draws them.
import { METRICS } from "../config";

/** Counts of one handler (or of all of them) over one minute or one hour. */
export interface OutcomeCounts {
  completed: number;
  failed: number;
  /** Ended runs per duration bucket, `b0` ... (bounds in METRICS.durationBucketsMs); absent buckets are 0. */
  buckets: Record<string, number>;
}

/** A rollup document: `_taskMetricsMinutes/{minute}` or `_taskMetricsHours/{hour}`. */
export interface RollupDocument<Time = unknown> {
  /** The start of the minute or hour. */
  at: Time;
  total: OutcomeCounts;
  /** Per handler, keyed by `handlerKey` (`type/action`). */
  handlers: Record<string, OutcomeCounts>;
}

/** One point of a chart: a minute or an hour. */
export interface MetricsPoint {
  /** Epoch ms of the start of the minute or hour. */
  at: number;
  completed: number;
  failed: number;
  /** failed / (completed + failed), or null when nothing ended. */
  failureRate: number | null;
  /** Run duration percentiles in ms, from the buckets (the bucket's upper bound): null when nothing ended. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export const METRICS_RANGES = ["hour", "day", "week"] as const;
export type MetricsRange = (typeof METRICS_RANGES)[number];

/** What each range reads: the hour reads minute rollups, the day and week hour rollups. */
export const RANGE_SPANS: Record<MetricsRange, { points: number; stepMs: number; unit: "minute" | "hour" }> = {
  hour: { points: 60, stepMs: 60_000, unit: "minute" },
  day: { points: 24, stepMs: 3_600_000, unit: "hour" },
  week: { points: 7 * 24, stepMs: 3_600_000, unit: "hour" },
};

/** What `queueMetrics({ range })` answers: chart points over the range, overall and per handler. */
export interface MetricsSeries {
  range: MetricsRange;
  /** The width of one point (a minute or an hour); points are oldest first, the last one is in progress. */
  stepMs: number;
  total: MetricsPoint[];
  /** Per handler key (`type/action`), the handlers that ended a task in the range. */
  handlers: Record<string, MetricsPoint[]>;
  /** Rollup documents read. */
  documents: number;
}

/** The key of a handler in the rollups. A `/` never occurs in a type or an action. */
export const handlerKey = (type: string, action: string) => `${type}/${action}`;

/** The bucket (0 ... bounds.length) of a run that lasted `ms`. */
export function durationBucket(ms: number, bounds = METRICS.durationBucketsMs): number {
  const index = bounds.findIndex((bound) => ms <= bound);
  return index === -1 ? bounds.length : index;
}

/**
 * The `q` quantile (0.5, 0.95) of the runs counted in `buckets`, as the upper bound of the bucket it falls in (the
 * last, open bucket reports twice the last bound); null when nothing was counted.
 */
export function bucketQuantile(
  buckets: Record<string, number> | undefined,
  q: number,
  bounds = METRICS.durationBucketsMs,
): number | null {
  const counts = Array.from({ length: bounds.length + 1 }, (_, i) => buckets?.[`b${i}`] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= q * total) return i < bounds.length ? bounds[i] : 2 * bounds[bounds.length - 1];
  }
  return 2 * bounds[bounds.length - 1];
}

/** A chart point from a rollup's counts (absent: nothing ended then). */
export function toPoint(at: number, counts: OutcomeCounts | undefined): MetricsPoint {
  const completed = counts?.completed ?? 0;
  const failed = counts?.failed ?? 0;
  const ended = completed + failed;
  return {
    at,
    completed,
    failed,
    failureRate: ended > 0 ? failed / ended : null,
    p50Ms: bucketQuantile(counts?.buckets, 0.5),
    p95Ms: bucketQuantile(counts?.buckets, 0.95),
  };
}

/** A rollup document's id: `2026-11-23T07-15Z` for a minute, `2026-11-23T07Z` for an hour (UTC, sortable). */
export function rollupId(startMs: number, unit: "minute" | "hour"): string {
  const iso = new Date(startMs).toISOString(); // 2026-11-23T07:15:00.000Z
  return unit === "minute" ? `${iso.slice(0, 13)}-${iso.slice(14, 16)}Z` : `${iso.slice(0, 13)}Z`;
}
