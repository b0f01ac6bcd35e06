#!/usr/bin/env node
// `npm run grant-admin -- <email> [--revoke] [--project <id>]`: sets (or removes) the `admin` custom claim that
// the security rules and the admin page check. Talks to the Auth emulator by default; `--project <id>` with a
// real project id changes the real project instead, with Application Default Credentials
// (`gcloud auth application-default login`, or GOOGLE_APPLICATION_CREDENTIALS pointing at a service account key).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run grant-admin -- <email> [--revoke] [--project <id>]

  <email>          the user to make an admin (they must have signed up already)
  --revoke         remove the admin claim instead
  --project <id>   a real Firebase project (default: the Auth emulator of the demo project)`;

/**
 * Sets or removes `admin: true` on the user with `email`, keeping their other custom claims. Returns the user's
 * uid and claims as written.
 */
export async function setAdminClaim(auth, email, admin) {
  const user = await auth.getUserByEmail(email);
  const { admin: _previous, ...others } = user.customClaims ?? {};
  const claims = admin ? { ...others, admin: true } : others;
  await auth.setCustomUserClaims(user.uid, claims);
  // Revoking also ends the user's sessions: their current ID token keeps the claim until it expires (up to an
  // hour) for the rules, but the admin page refreshes tokens and signs them out.
  if (!admin) await auth.revokeRefreshTokens(user.uid);
  return { uid: user.uid, claims };
}

function defaultProject() {
  if (process.env.GCLOUD_PROJECT) return process.env.GCLOUD_PROJECT;
  const firebaserc = JSON.parse(readFileSync(join(ROOT, ".firebaserc"), "utf8"));
  return firebaserc.projects.default;
}

/** The Auth emulator's address: FIREBASE_AUTH_EMULATOR_HOST, else firebase.json's (plus EMULATOR_PORT_OFFSET). */
function authEmulatorHost() {
  if (process.env.FIREBASE_AUTH_EMULATOR_HOST) return process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const { host, port } = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8")).emulators.auth;
  return `${host}:${port + Number(process.env.EMULATOR_PORT_OFFSET ?? 0)}`;
}

/** Where the claim goes: the emulator unless a real (non `demo-`) project was named. */
export function resolveTarget(project) {
  const projectId = project ?? defaultProject();
  if (project && !project.startsWith("demo-")) return { projectId, emulatorHost: undefined };
  return { projectId, emulatorHost: authEmulatorHost() };
}

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { revoke: { type: "boolean", default: false }, project: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || positionals.length !== 1 || !positionals[0].includes("@")) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const [email] = positionals;
  const target = resolveTarget(values.project);
  if (target.emulatorHost) process.env.FIREBASE_AUTH_EMULATOR_HOST = target.emulatorHost;
  else delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const where = target.emulatorHost
    ? `Auth emulator ${target.emulatorHost}, project ${target.projectId}`
    : `project ${target.projectId}`;

  const auth = getAuth(initializeApp({ projectId: target.projectId }, "grant-admin"));
  try {
    const { uid, claims } = await setAdminClaim(auth, email, !values.revoke);
    console.log(`${values.revoke ? "Revoked admin from" : "Granted admin to"} ${email} (uid ${uid}) on ${where}.`);
    console.log(`Custom claims now: ${JSON.stringify(claims)}`);
    console.log("The user's ID token picks this up at their next sign-in or token refresh (at most an hour).");
    return 0;
  } catch (error) {
    if (error?.code === "auth/user-not-found") {
      console.error(`No user with email ${email} on ${where}: they must sign up (or be created) first.`);
    } else if (/ECONNREFUSED|fetch failed/.test(String(error?.message))) {
      console.error(`Could not reach the ${where}. Is it running? Start it with \`npm start\`.`);
    } else {
      console.error(`Could not change the claims of ${email} on ${where}: ${error?.message ?? error}`);
    }
    return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // No top-level await: tests import this module from CommonJS.
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
