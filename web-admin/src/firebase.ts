// Connects the page to Firebase. Hosting serves the project's web config at `/__/firebase/init.json`, in
// production and in the Hosting emulator alike. When the page is served locally, the Hosting emulator also says
// where the other emulators listen (`/__/firebase/init.js?useEmulator=true`), so no port is written into the page:
// an emulator suite started with a port offset works as well as the default one.
import { initializeApp, type FirebaseOptions } from "firebase/app";
import { connectAuthEmulator, getAuth, type Auth } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, type Functions } from "firebase/functions";
import { REGION } from "./contract";

interface EmulatorAddress {
  host: string;
  port: number;
  hostAndPort: string;
}

export interface Emulators {
  auth?: EmulatorAddress;
  firestore?: EmulatorAddress;
  functions?: EmulatorAddress;
}

export interface Services {
  projectId: string;
  auth: Auth;
  db: Firestore;
  functions: Functions;
  /** Set when the page talks to the Emulator Suite. */
  emulators?: Emulators;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

/** The emulators the Hosting emulator knows about, or undefined when the page is not served by one. */
async function discoverEmulators(): Promise<Emulators | undefined> {
  if (!LOCAL_HOSTS.has(location.hostname)) return undefined;
  let script: string;
  try {
    script = await fetchText("/__/firebase/init.js?useEmulator=true");
  } catch {
    return undefined;
  }
  const match = /var firebaseEmulators = (\{[\s\S]*?\n\});/.exec(script);
  if (!match) return undefined;
  const emulators = JSON.parse(match[1]) as Emulators;
  return emulators.firestore ? emulators : undefined;
}

export async function connectFirebase(): Promise<Services> {
  let config: FirebaseOptions;
  try {
    config = JSON.parse(await fetchText("/__/firebase/init.json")) as FirebaseOptions;
  } catch (error) {
    throw new Error(
      `Could not load the Firebase config from /__/firebase/init.json (${(error as Error).message}). ` +
        "Serve this page with Firebase Hosting: `npm start` locally, `firebase deploy` for a project.",
    );
  }
  if (!config?.projectId) throw new Error("/__/firebase/init.json has no projectId.");
  const emulators = await discoverEmulators();
  if (!emulators && config.projectId.startsWith("demo-")) {
    throw new Error(`Project ${config.projectId} is a demo project, which only exists in the Emulator Suite.`);
  }

  const app = initializeApp(config);
  const auth = getAuth(app);
  const db = getFirestore(app);
  const functions = getFunctions(app, REGION);
  if (emulators) {
    if (emulators.auth) connectAuthEmulator(auth, `http://${emulators.auth.hostAndPort}`, { disableWarnings: true });
    if (emulators.firestore) connectFirestoreEmulator(db, emulators.firestore.host, emulators.firestore.port);
    if (emulators.functions) connectFunctionsEmulator(functions, emulators.functions.host, emulators.functions.port);
  }
  return { projectId: config.projectId, auth, db, functions, emulators };
}
