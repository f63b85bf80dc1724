#!/usr/bin/env node
// The `portflow` CLI: plain JavaScript from the build (`pnpm build`, run by `pnpm install`).
await import("../dist/cli/main.js");
