// A real client, as an app has one: the Firebase JS SDK signed in through the Auth emulator and talking to the
// Firestore emulator, so the security rules apply to everything it does.
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
  type Auth,
  type User,
} from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, terminate, type Firestore } from "firebase/firestore";
import { getAuth as getAdminAuth } from "firebase-admin/auth";
import { PROJECT_ID, adminDb, emulatorVariable, uniqueId } from "./emulators";

export interface Client {
  app: FirebaseApp;
  auth: Auth;
  db: Firestore;
  user: User;
  email: string;
  password: string;
  /** Signs in again (a fresh ID token, with the user's current custom claims). */
  signInAgain(): Promise<User>;
  close(): Promise<void>;
}

/** A new app instance signed in as a new user (signed up with `email`, by default a unique one). */
export async function signedInClient(email = `${uniqueId("user")}@example.com`): Promise<Client> {
  const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, uniqueId("client"));
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${emulatorVariable("FIREBASE_AUTH_EMULATOR_HOST")}`, { disableWarnings: true });
  const db = getFirestore(app);
  const [host, port] = emulatorVariable("FIRESTORE_EMULATOR_HOST").split(":");
  connectFirestoreEmulator(db, host, Number(port));
  const password = "password-123";
  const signedUp = await createUserWithEmailAndPassword(auth, email, password);
  // As if the user had followed the verification link: the example rules accept only a verified address as an
  // order's customerEmail.
  adminDb(); // initialises the default app that the admin getAuth() uses
  await getAdminAuth().updateUser(signedUp.user.uid, { emailVerified: true });
  await signedUp.user.getIdToken(true);
  const user = signedUp.user;
  return {
    app,
    auth,
    db,
    user,
    email,
    password,
    async signInAgain() {
      await auth.signOut();
      const credential = await signInWithEmailAndPassword(auth, email, password);
      return credential.user;
    },
    async close() {
      await terminate(db);
      await deleteApp(app);
    },
  };
}
