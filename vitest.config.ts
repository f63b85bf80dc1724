import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the `source` export condition
// (before vite's defaults); tests that spawn the built bin get a fresh build from the global setup.
const SERVER_CONDITIONS = ["source", "module", "node", "development|production"];

export default defineConfig({
  ssr: { resolve: { conditions: SERVER_CONDITIONS } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/**/*.test.ts",
    ],
    globalSetup: ["scripts/build-packages.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Postgres and Redis servers are started per test file; two workers fit 2 cores.
    maxWorkers: 2,
  },
});
