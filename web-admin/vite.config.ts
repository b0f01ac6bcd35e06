// The admin page's build: `vite build` writes web-admin/dist, which Firebase Hosting serves (firebase.json).
import { defineConfig } from "vite";

export default defineConfig({
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
