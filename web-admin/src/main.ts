// Entry point: connect to Firebase (the emulators when served by them), then show sign-in, "not authorized" or
// the admin page, following the signed-in user and their `admin` claim.
import { onAuthStateChanged, signOut, type User } from "firebase/auth";
import { terminate } from "firebase/firestore";
import { h } from "./dom";
import { connectFirebase, type Services } from "./firebase";
import { mountAdmin } from "./views/admin";
import { notAuthorizedView, signInView } from "./views/sign-in";
import "./styles.css";

const root = document.getElementById("app") as HTMLElement;
let unmount: (() => void) | undefined;

function show(element: HTMLElement) {
  unmount?.();
  unmount = undefined;
  root.replaceChildren(element);
}

async function showUser(services: Services, user: User | null, forceRefresh = false) {
  if (!user) {
    show(signInView(services.auth, { emulated: Boolean(services.emulators) }));
    return;
  }
  // The claim is read from the ID token; a fresh token picks up a claim granted since the last sign-in.
  const token = await user.getIdTokenResult(forceRefresh);
  if (token.claims.admin !== true) {
    show(
      notAuthorizedView(user, {
        signOut: () => void signOut(services.auth),
        recheck: () => void showUser(services, user, true),
      }),
    );
    return;
  }
  unmount?.();
  unmount = mountAdmin(root, services, user);
}

async function start() {
  let services: Services;
  try {
    services = await connectFirebase();
  } catch (error) {
    show(
      h(
        "main",
        { class: "auth-page" },
        h(
          "div",
          { class: "auth-card" },
          h("h1", {}, "Cannot start"),
          h("p", { class: "query-error" }, (error as Error).message),
        ),
      ),
    );
    return;
  }
  // Close the Firestore channel when the tab goes away: its termination request is a beacon, which survives the
  // unload. Without it the server holds a closed tab's listeners until they time out, and the Firestore emulator
  // even makes writes that change their results wait on them (a retry-all can stall behind a closed tab).
  addEventListener("pagehide", () => void terminate(services.db));
  addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload(); // restored from the back-forward cache with a terminated Firestore
  });
  let current: string | null | undefined;
  onAuthStateChanged(services.auth, (user) => {
    // Token refreshes fire this too; only a different user (or none) changes the page.
    if (current !== undefined && (user?.uid ?? null) === current) return;
    current = user?.uid ?? null;
    void showUser(services, user);
  });
}

void start();
