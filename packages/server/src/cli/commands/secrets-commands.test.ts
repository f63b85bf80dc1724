import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/make-temp-dir.ts";
import { runCliOrThrow } from "../../testing/run-cli-in-process.ts";
import { runPortflowProcess } from "../run-portflow-process.ts";

const KEY = { PORTFLOW_SECRET_KEY: randomBytes(32).toString("base64") };
const VALUE = "tok-9d8e7f6a5b4c";

// The built bin, spawned: the value travels through a real pipe and must never reach the output.
describe("portflow secrets", () => {
  let dataDir: string;
  let botId: string;
  const secrets = (options: { stdin?: string; env?: Record<string, string> }, ...args: string[]) =>
    runPortflowProcess(["secrets", ...args], {
      dataDir,
      stdin: options.stdin ?? "",
      ...(options.env !== undefined && { env: options.env }),
    });
  beforeAll(async () => {
    dataDir = await makeTempDir("portflow-secrets-");
    botId = JSON.parse(await runCliOrThrow(dataDir, "bots", "create", "--name", "s", "--json")).id;
  }, 120_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("refuses to set a secret without PORTFLOW_SECRET_KEY, naming the setting", { timeout: 120_000 }, async () => {
    const result = await secrets({ stdin: VALUE }, "set", "--bot", botId, "API_KEY");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bot secrets need PORTFLOW_SECRET_KEY");
  });

  it("sets a secret from standard input, lists its name only and deletes it", { timeout: 120_000 }, async () => {
    const set = await secrets({ stdin: `${VALUE}\n`, env: KEY }, "set", "--bot", botId, "API_KEY");
    expect(set.stderr).toContain(`set secret API_KEY of bot ${botId}`);
    expect(set.code).toBe(0);
    const list = await secrets({ env: KEY }, "list", "--bot", botId, "--json");
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual(["API_KEY"]);
    expect(set.stdout + set.stderr + list.stdout + list.stderr).not.toContain(VALUE);

    const empty = await secrets({ stdin: "", env: KEY }, "set", "--bot", botId, "OTHER");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no value given for secret OTHER");

    const deleted = await secrets({}, "delete", "--bot", botId, "API_KEY");
    expect(deleted.code).toBe(0);
    const again = await secrets({}, "delete", "--bot", botId, "API_KEY");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`bot ${botId} has no secret API_KEY`);
  });
});
