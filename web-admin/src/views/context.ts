// What every part of the signed-in page shares: the Firebase services, the admin, and the URL-backed route.
import type { User } from "firebase/auth";
import { h, type Child } from "../dom";
import type { Services } from "../firebase";
import { routeToSearch, type Route } from "../route";

export interface AdminContext {
  services: Services;
  user: User;
  route(): Route;
  /** Changes the URL (a new history entry unless `replace`) and updates the page to match it. */
  navigate(route: Route, options?: { replace?: boolean }): void;
  /** Asks the state tabs to recount (the list changed). */
  refreshCounts(): void;
  /** Recounts after an action, and again once the tasks it started have had time to run. */
  refreshCountsAfterAction(): void;
}

/** A real link to another view of the page: it can be opened in a new tab, copied, bookmarked. */
export function routeLink(route: Route, attrs: Record<string, string | undefined>, ...children: Child[]): HTMLElement {
  return h("a", { ...attrs, href: routeToSearch(route), "data-nav": "" }, ...children);
}
