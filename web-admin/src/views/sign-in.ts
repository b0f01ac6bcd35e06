// Sign-in, and the "not authorized" page for a signed-in user without the `admin` claim. Neither touches task
// data: a non-admin never issues a query, so the page shows nothing the rules would have to refuse.
import { GoogleAuthProvider, signInWithEmailAndPassword, signInWithPopup, type Auth, type User } from "firebase/auth";
import { h, type Child } from "../dom";

const AUTH_MESSAGES: Record<string, string> = {
  "auth/invalid-credential": "Wrong email or password.",
  "auth/invalid-email": "That is not a valid email address.",
  "auth/user-disabled": "This account is disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a minute and try again.",
  "auth/popup-closed-by-user": "The Google sign-in window was closed before it finished.",
  "auth/network-request-failed": "Could not reach Firebase Auth. Check your connection.",
};

function authMessage(error: unknown): string {
  const code = (error as { code?: string })?.code ?? "";
  return AUTH_MESSAGES[code] ?? (error as Error)?.message ?? String(error);
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
