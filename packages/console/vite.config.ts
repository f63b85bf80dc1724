import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the server at /console/ (same origin as the API); `pnpm dev` proxies the API to a local server.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: { "/api": process.env.PORTFLOW_URL ?? "http://127.0.0.1:8001" },
  },
});
