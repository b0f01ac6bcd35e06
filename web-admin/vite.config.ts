// The admin page's build: `vite build` writes web-admin/dist, which Firebase Hosting serves (firebase.json).
// The page imports the engine's browser-safe files (src/contract.ts); the guard below fails the build if anything
// pulls server code into the bundle instead.
import { defineConfig, type Plugin } from "vite";

const SERVER_ONLY = /^(firebase-admin|firebase-functions|@google-cloud\/)/;

/** A runtime import of a server SDK in the page (`import type` is erased before this runs, so types are fine). */
const noServerCode: Plugin = {
  name: "no-server-code",
  enforce: "pre",
  resolveId(source, importer) {
    if (SERVER_ONLY.test(source)) {
      this.error(
        `${importer ?? "the page"} imports ${source} at runtime: the page runs in the browser (use import type).`,
      );
    }
    return null;
  },
};

export default defineConfig({
  plugins: [noServerCode],
  server: {
    // The dev server serves files from the page and the engine's shared model (src/contract.ts), nothing else.
    fs: { allow: [".", "../node_modules", "../functions/src/queue/model", "../functions/src/queue/config.ts"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      output: {
        // The Firebase SDK changes less often than the page: its own chunk stays cached across deploys.
        manualChunks: (id) => (id.includes("node_modules") ? "firebase" : undefined),
      },
    },
    chunkSizeWarningLimit: 800,
  },
});
