// The one place that initialises firebase-admin, lazily, so importing a module never has side effects.
import { getApps, initializeApp } from "firebase-admin/app";
import { type Firestore, getFirestore } from "firebase-admin/firestore";

let firestore: Firestore | undefined;

export function db(): Firestore {
  if (!firestore) {
    // firebase-functions may have created a named app of its own; we need the default one.
    if (!getApps().some((app) => app.name === "[DEFAULT]")) initializeApp();
    firestore = getFirestore();
    try {
      // Handlers return plain objects that may carry `undefined`; store them without the key instead of throwing.
      firestore.settings({ ignoreUndefinedProperties: true });
    } catch {
      // The app already used Firestore with settings of its own (settings() works only once): keep those.
    }
  }
  return firestore;
}
