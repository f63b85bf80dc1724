/**
 * Writes the app's OpenAPI document (GET /openapi.json of an in-memory app) to the path given,
 * for `pnpm lint:openapi`. Offline: no listener, no network.
 */
import { writeFileSync } from "node:fs";
import { createTestApp } from "@portflow/server/testing";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: dump-openapi <out.json>");
const test = await createTestApp();
try {
  const response = await test.app.inject({ method: "GET", url: "/openapi.json" });
  if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
  writeFileSync(out, `${JSON.stringify(response.json(), null, 2)}\n`);
} finally {
  await test.close();
}
