import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the `source` export condition,
// then vitest's defaults (vite's server conditions less `module`: vitest also hands them to the
// workers' Node as --conditions, and Node cannot run `module` builds such as the AWS SDK's dist-es).
// Tests that spawn the built bin get a fresh build from the global setup.
const SERVER_CONDITIONS = ["source", "node", "development|production"];

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
