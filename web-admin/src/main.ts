// Entry point: connect to Firebase (the emulators when served by them), then show sign-in, "not authorized" or
// the admin page, following the signed-in user and their `admin` claim.
import { onAuthStateChanged, signOut, type User } from "firebase/auth";
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
  unmount = mountAdmin(root, services, user, () => undefined);
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
  let current: string | null | undefined;
  onAuthStateChanged(services.auth, (user) => {
    // Token refreshes fire this too; only a different user (or none) changes the page.
    if (current !== undefined && (user?.uid ?? null) === current) return;
    current = user?.uid ?? null;
    void showUser(services, user);
  });
}

void start();
