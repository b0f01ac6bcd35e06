// Admin rights: `npm run grant-admin -- <email>` sets the `admin` claim on the Auth emulator, a user signed in
// with it gets admin access through the rules, and `--revoke` takes it away again.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { getAuth } from "firebase-admin/auth";
import { collectionGroup, getDocs, limit, query } from "firebase/firestore";
import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import { adminDb, uniqueId } from "../support/emulators";
import { signedInClient, type Client } from "../support/client";
import { resolveTarget } from "../../scripts/grant-admin.mjs";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "grant-admin.mjs");

function grantAdmin(...args: string[]) {
  // The emulator variables of `npm run with-emulators` are inherited: the script must target that emulator.
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env: process.env, timeout: 30_000 });
}

function grantAdminWithoutEmulatorVariable(...args: string[]) {
  const { FIREBASE_AUTH_EMULATOR_HOST: _host, ...env } = process.env;
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env, timeout: 30_000 });
}

function tasksOfEveryone(client: Client) {
  return getDocs(query(collectionGroup(client.db, "tasks"), limit(1)));
}

describe("admin rights: npm run grant-admin", () => {
  let client: Client;

  beforeEach(async () => {
    adminDb(); // initialises the default firebase-admin app (the emulator variables route Auth to the emulator)
    client = await signedInClient();
  });

  afterEach(async () => {
    await client?.close();
  });

  it("grants the admin claim, keeping other claims, and the user then reads every task", async () => {
    await getAuth().setCustomUserClaims(client.user.uid, { team: "ops" });
    await assertFails(tasksOfEveryone(client));

    const run = grantAdmin(client.email);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Granted admin to/);
    assert.deepEqual((await getAuth().getUser(client.user.uid)).customClaims, { team: "ops", admin: true });

    const user = await client.signInAgain();
    assert.equal((await user.getIdTokenResult()).claims.admin, true);
    await assertSucceeds(tasksOfEveryone(client));
  });

  it("--revoke removes the claim, keeping other claims, and the user is denied again", async () => {
    await getAuth().setCustomUserClaims(client.user.uid, { admin: true, team: "ops" });
    await client.signInAgain();
    await assertSucceeds(tasksOfEveryone(client));

    const run = grantAdmin(client.email, "--revoke");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Revoked admin from/);
    assert.deepEqual((await getAuth().getUser(client.user.uid)).customClaims, { team: "ops" });

    const user = await client.signInAgain();
    assert.equal((await user.getIdTokenResult()).claims.admin, undefined);
    await assertFails(tasksOfEveryone(client));
  });

  it("finds the Auth emulator from firebase.json when FIREBASE_AUTH_EMULATOR_HOST is not set", async () => {
    const run = grantAdminWithoutEmulatorVariable(client.email);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Auth emulator ${process.env.FIREBASE_AUTH_EMULATOR_HOST}`));
    assert.equal((await getAuth().getUser(client.user.uid)).customClaims?.admin, true);
  });

  it("targets the emulator by default and for demo- projects, a real project when named", () => {
    assert.ok(resolveTarget(undefined).emulatorHost);
    assert.ok(resolveTarget("demo-other").emulatorHost);
    assert.deepEqual(resolveTarget("my-shop-prod"), { projectId: "my-shop-prod", emulatorHost: undefined });
  });

  it("fails with a clear message for an unknown email", () => {
    const run = grantAdmin(`${uniqueId("nobody")}@example.com`);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /No user with email .* must sign up/);
  });

  it("prints its usage without an email", () => {
    const run = grantAdmin();
    assert.equal(run.status, 2);
    assert.match(run.stderr, /usage: npm run grant-admin -- <email> \[--revoke\]/);
  });
});
