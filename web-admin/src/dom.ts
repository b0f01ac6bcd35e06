// A few DOM helpers instead of a framework. Text always goes in as text nodes, never as HTML: task data, error
// messages and stacks come from handlers and clients, and are shown exactly as written.

export type Child = Node | string | number | false | null | undefined | Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: never) => void);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name === "class") element.className = String(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * A modal confirmation. Resolves true only when the user presses the confirm button. `dismissLabel` (default
 * "Cancel") names the way out; a dialog that confirms cancelling tasks names it otherwise ("Keep them").
 */
export function confirmDialog(options: {
  title: string;
  body: Child;
  confirmLabel: string;
  dismissLabel?: string;
  tone?: "danger" | "primary";
}): Promise<boolean> {
  const confirm = h("button", { type: "submit", value: "confirm", class: `button ${options.tone ?? "primary"}` }, [
    options.confirmLabel,
  ]);
  const dialog = h(
    "dialog",
    { class: "dialog", "aria-labelledby": "dialog-title" },
    h(
      "form",
      { method: "dialog" },
      h("h2", { id: "dialog-title" }, options.title),
      h("div", { class: "dialog-body" }, options.body),
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "submit", value: "cancel", class: "button" }, options.dismissLabel ?? "Cancel"),
        confirm,
      ),
    ),
  );
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    dialog.showModal();
    confirm.focus();
  });
}

type Tone = "success" | "error" | "info";

/** Reports what an action did, in a live region screen readers announce. Errors stay until dismissed. */
export function notify(tone: Tone, message: Child, details?: Child): HTMLElement {
  const region = document.getElementById("notices");
  const notice = h(
    "div",
    { class: `notice ${tone}`, role: tone === "error" ? "alert" : "status" },
    h("div", { class: "notice-text" }, message, details ? h("div", { class: "notice-details" }, details) : null),
    h("button", { type: "button", class: "icon-button", "aria-label": "Dismiss", onclick: () => notice.remove() }, "×"),
  );
  region?.prepend(notice);
  if (tone !== "error") setTimeout(() => notice.remove(), 20_000);
  return notice;
}
