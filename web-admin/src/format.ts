// How times, durations and JSON are shown. Firestore Timestamps are duck-typed (`toDate`), so this module does
// not depend on the SDK.

interface TimestampLike {
  toDate(): Date;
}

export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (value && typeof (value as TimestampLike).toDate === "function") return (value as TimestampLike).toDate();
  return undefined;
}

/** "12 s ago", "3 min ago", "in 2 h". */
export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  const span = duration(Math.abs(seconds) * 1000);
  if (Math.abs(seconds) < 2) return "just now";
  return seconds >= 0 ? `${span} ago` : `in ${span}`;
}

/** A compact duration: "850 ms", "12 s", "3 min", "5 h", "2 d". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1).replace(/\.0$/, "") : Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Local time with seconds, and the date when it is not today: "14:03:09" or "2025-03-01 14:03:09". */
export function clockTime(date: Date, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** ISO time with milliseconds, for tooltips and copy-paste into logs queries. */
export function isoTime(date: Date): string {
  return date.toISOString();
}

/** JSON with Firestore values made readable: timestamps as ISO strings, references as paths. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(readable(value), null, 2) ?? "undefined";
}

// Converted before JSON.stringify: it would call the SDK's own toJSON() before any replacer sees the value.
function readable(value: unknown): unknown {
  const date = toDate(value);
  if (date) return date.toISOString();
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === "object") {
    if ("path" in value && "firestore" in value) return `ref:${(value as { path: string }).path}`;
    if ("latitude" in value && "longitude" in value) {
      const { latitude, longitude } = value as { latitude: number; longitude: number };
      return { latitude, longitude };
    }
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, readable(v)]));
  }
  return value;
}

const countFormat = new Intl.NumberFormat("en");

/** A state's count: "1,234", or "10,000+" once past `cap` (a capped count() answers cap + 1 then). */
export function countLabel(value: number, cap: number): string {
  return value > cap ? `${countFormat.format(cap)}+` : countFormat.format(value);
}
