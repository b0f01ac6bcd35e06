// Sign-in, and the "not authorized" page for a signed-in user without the `admin` claim. Neither touches task
// data: a non-admin never issues a query, so the page shows nothing the rules would have to refuse.
import { GoogleAuthProvider, signInWithEmailAndPassword, signInWithPopup, type Auth, type User } from "firebase/auth";
import { h, type Child } from "../dom";

/**
 * Firebase Auth's codes in plain words. A wrong password and an unknown email read the same: Auth answers
 * `auth/invalid-credential` for both (with email enumeration protection, and always on the emulator), and saying
 * which one would tell a stranger which emails have accounts.
 */
const AUTH_MESSAGES: Record<string, string> = {
  "auth/invalid-credential": "Wrong email or password.",
  "auth/invalid-login-credentials": "Wrong email or password.",
  "auth/wrong-password": "Wrong email or password.",
  "auth/user-not-found": "Wrong email or password.",
  "auth/missing-password": "Enter your password.",
  "auth/missing-email": "Enter your email address.",
  "auth/popup-blocked": "The browser blocked the Google sign-in window. Allow pop-ups for this page and try again.",
  "auth/cancelled-popup-request": "The Google sign-in window was closed before it finished.",
  "auth/operation-not-allowed":
    "This sign-in method is not enabled for the project (Firebase console, Authentication).",
  "auth/unauthorized-domain":
    "This address is not an authorized domain for sign-in (Firebase console, Authentication).",
  "auth/invalid-email": "That is not a valid email address.",
  "auth/user-disabled": "This account is disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a minute and try again.",
  "auth/popup-closed-by-user": "The Google sign-in window was closed before it finished.",
  "auth/network-request-failed": "Could not reach Firebase Auth. Check your connection.",
};

/** A sentence for the person signing in: never the SDK's "Firebase: Error (auth/...)". */
export function authMessage(error: unknown): string {
  const code = (error as { code?: string })?.code ?? "";
  if (AUTH_MESSAGES[code]) return AUTH_MESSAGES[code];
  const words = code.startsWith("auth/") ? code.slice("auth/".length).replace(/-/g, " ") : "";
  return words ? `Sign-in failed: ${words}.` : "Sign-in failed. Try again.";
}

function card(...children: Child[]): HTMLElement {
  return h(
    "main",
    { class: "auth-page" },
    h("div", { class: "auth-card" }, h("div", { class: "brand-mark" }), children),
  );
}

export function signInView(auth: Auth, options: { emulated: boolean }): HTMLElement {
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "button primary wide" }, "Sign in");
  const message = h("p", { class: "form-error", role: "alert", hidden: true });
  const showError = (error: unknown) => {
    message.textContent = authMessage(error);
    message.hidden = false;
  };

  const form = h(
    "form",
    {
      class: "auth-form",
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        message.hidden = true;
        submit.disabled = true;
        submit.textContent = "Signing in…";
        try {
          await signInWithEmailAndPassword(auth, email.value.trim(), password.value);
        } catch (error) {
          showError(error);
          submit.disabled = false;
          submit.textContent = "Sign in";
        }
      },
    },
    h("label", { for: "email" }, "Email"),
    email,
    h("label", { for: "password" }, "Password"),
    password,
    message,
    submit,
  );

  const google = h(
    "button",
    {
      type: "button",
      class: "button wide",
      onclick: async () => {
        try {
          await signInWithPopup(auth, new GoogleAuthProvider());
        } catch (error) {
          showError(error);
        }
      },
    },
    "Sign in with Google",
  );

  setTimeout(() => email.focus());
  return card(
    h("h1", {}, "Task queue admin"),
    h("p", { class: "muted" }, "Sign in with an account that has the admin claim."),
    form,
    h("div", { class: "divider" }, h("span", {}, "or")),
    google,
    options.emulated
      ? h(
          "p",
          { class: "hint" },
          "Emulator: the demo admin is ",
          h("code", {}, "admin@example.com"),
          " / ",
          h("code", {}, "admin-password"),
          " (seeded by ",
          h("code", {}, "npm start"),
          ").",
        )
      : null,
  );
}

export function notAuthorizedView(user: User, actions: { signOut(): void; recheck(): void }): HTMLElement {
  const who = user.email ?? user.uid;
  return card(
    h("h1", {}, "Not authorized"),
    h(
      "p",
      {},
      "You are signed in as ",
      h("strong", {}, who),
      ", but this account does not have the ",
      h("code", {}, "admin"),
      " claim, so no task data is shown.",
    ),
    h(
      "p",
      { class: "muted" },
      "An admin can grant it with ",
      h("code", {}, `npm run grant-admin -- ${who}`),
      ". Then check again, or sign out and back in.",
    ),
    h(
      "div",
      { class: "row-actions" },
      h("button", { type: "button", class: "button", onclick: actions.recheck }, "Check again"),
      h("button", { type: "button", class: "button primary", onclick: actions.signOut }, "Sign out"),
    ),
  );
}
