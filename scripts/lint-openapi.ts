/**
 * `pnpm lint:openapi`: dumps the app's OpenAPI document and lints it with Redocly's recommended
 * rules (redocly.yaml); any error or warning fails. Offline: telemetry and the update check are off.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(".tmp", "openapi.json");
mkdirSync(join(root, ".tmp"), { recursive: true });
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
const run = (args: string[]) => execFileSync(args[0]!, args.slice(1), { cwd: root, env, stdio: "inherit" });
run([process.execPath, "--conditions=source", "--import", "tsx", "scripts/dump-openapi.ts", out]);
run([join(root, "node_modules", ".bin", "redocly"), "lint", out, "--config", "redocly.yaml", "--max-problems", "1000"]);
