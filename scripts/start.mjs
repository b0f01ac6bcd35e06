#!/usr/bin/env node
// `npm start`: build, start the emulators, seed the demo data, print the URLs, run until Ctrl-C.
import { runAndExit } from "./with-emulators.mjs";

await runAndExit(["node", "scripts/seed-demo.mjs", "--keep-running"]);
