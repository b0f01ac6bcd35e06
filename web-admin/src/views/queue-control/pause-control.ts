// What the banner and both tables share about pausing: how a target is named, who paused it and since when, the
// Pause/Resume button (disabled with its progress while its call is in flight), and what the confirmation says
// each switch does.
import type { User } from "firebase/auth";
import type { PauseRecord, PauseTarget } from "../../contract";
import { h, type Child } from "../../dom";
import { clockTime, isoTime } from "../../format";

/** What the view lends the parts it composes: the switch, and what is in flight. */
export interface PauseControls {
  user: User;
  /** The progress label of the call in flight for `target` ("Pausing…"), if one is. */
  pending(target: PauseTarget): string | undefined;
  /** Asks for confirmation, then pauses (`pause`) or resumes `target`. */
  toggle(target: PauseTarget, pause: boolean): void;
}

/** One key per target, for the calls in flight and to find a target's button again after a re-render. */
export function targetKey(target: PauseTarget): string {
  if ("queue" in target) return "queue";
  if ("schedule" in target) return `schedule:${target.schedule}`;
  return `handler:${target.type}/${target.action}`;
}

/** "the whole queue", "demo.record", "schedule demo-heartbeat": the target in a sentence. */
export function targetName(target: PauseTarget): string {
  if ("queue" in target) return "the whole queue";
  if ("schedule" in target) return `schedule ${target.schedule}`;
  return `${target.type}.${target.action}`;
}

/** The pauser as the page can name them: `by` is a uid, and only the signed-in admin's email is known here. */
export function pauser(record: PauseRecord, user: User): string {
  return record.by === user.uid ? `${user.email ?? user.uid} (you)` : record.by;
}

/** The pause's time as a local clock time (with the date when not today), exact on hover. */
export function since(record: PauseRecord): Child {
  const date = new Date(record.at);
  if (Number.isNaN(date.getTime())) return record.at;
  return h("time", { datetime: isoTime(date), title: isoTime(date) }, clockTime(date));
}

/** "by admin@example.com (you) since 14:03:09". */
export function bySince(record: PauseRecord, user: User): Child[] {
  return ["by ", h("strong", {}, pauser(record, user)), " since ", since(record)];
}

/** Pause or Resume for `target`, labelled with what it switches for screen readers ("Pause demo.record"). */
export function pauseButton(
  controls: PauseControls,
  target: PauseTarget,
  paused: boolean,
  options: { label?: string; tone?: string } = {},
): HTMLButtonElement {
  const pending = controls.pending(target);
  const verb = paused ? "Resume" : "Pause";
  const label = options.label ?? verb;
  return h(
    "button",
    {
      type: "button",
      class: `button small ${options.tone ?? (paused ? "primary" : "")}`,
      "aria-label": pending ? undefined : `${verb} ${targetName(target)}`,
      "data-pause-target": targetKey(target),
      disabled: Boolean(pending),
      "aria-busy": pending ? "true" : undefined,
      onclick: () => controls.toggle(target, !paused),
    },
    pending ?? label,
  );
}

/** The confirmation for switching `target`: what stops or starts, so the operator knows before pressing. */
export function confirmation(target: PauseTarget, pause: boolean) {
  const name = targetName(target);
  const title = `${pause ? "Pause" : "Resume"} ${name}?`;
  const confirmLabel = pause
    ? "queue" in target
      ? "Pause queue"
      : "Pause"
    : "queue" in target
      ? "Resume queue"
      : "Resume";
  let body: Child;
  if ("schedule" in target) {
    body = pause
      ? h("p", {}, `While paused, ${name} writes no task for its slots.`)
      : h("p", {}, `${name} writes its next slot's task again.`);
  } else if (pause) {
    body = [
      h(
        "p",
        {},
        "queue" in target
          ? "No task of any handler starts until you resume."
          : ["No attempt of ", h("code", {}, name), " starts until you resume; other handlers go on."],
      ),
      h(
        "p",
        { class: "muted" },
        "Attempts already running finish. Tasks that come due wait, still scheduled; resuming dispatches them.",
      ),
    ];
  } else {
    body = h("p", {}, "Every task the pause held is dispatched now, within its handler's limits.");
  }
  return { title, body, confirmLabel, tone: pause ? ("danger" as const) : ("primary" as const) };
}
