import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/make-temp-dir.ts";
import { runCliOrThrow, runCliWithInput } from "../../testing/run-cli-in-process.ts";

const KEY = { PORTFLOW_SECRET_KEY: randomBytes(32).toString("base64") };
const VALUE = "tok-9d8e7f6a5b4c";

describe("portflow secrets", () => {
  let dataDir: string;
  let botId: string;
  beforeAll(async () => {
    dataDir = await makeTempDir("portflow-secrets-");
    botId = JSON.parse(await runCliOrThrow(dataDir, "bots", "create", "--name", "s", "--json")).id;
  }, 60_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("refuses to set a secret without PORTFLOW_SECRET_KEY, naming the setting", { timeout: 60_000 }, async () => {
    const result = await runCliWithInput(dataDir, { stdin: VALUE }, "secrets", "set", "--bot", botId, "API_KEY");
    expect(result.code).not.toBe(0);
    expect(result.stderr.text).toContain("bot secrets need PORTFLOW_SECRET_KEY");
  });

  it("sets a secret from standard input, lists its name only and deletes it", { timeout: 60_000 }, async () => {
    const set = await runCliWithInput(
      dataDir,
      { stdin: `${VALUE}\n`, env: KEY },
      "secrets",
      "set",
      "--bot",
      botId,
      "API_KEY",
    );
    expect(set.stderr.text).toContain(`set secret API_KEY of bot ${botId}`);
    expect(set.code).toBe(0);
    const list = await runCliWithInput(dataDir, { env: KEY }, "secrets", "list", "--bot", botId, "--json");
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout.text).map((s: { name: string }) => s.name)).toEqual(["API_KEY"]);
    expect(set.stdout.text + set.stderr.text + list.stdout.text).not.toContain(VALUE);

    const empty = await runCliWithInput(dataDir, { stdin: "", env: KEY }, "secrets", "set", "--bot", botId, "OTHER");
    expect(empty.code).not.toBe(0);
    expect(empty.stderr.text).toContain("no value given for secret OTHER");

    const deleted = await runCliWithInput(dataDir, {}, "secrets", "delete", "--bot", botId, "API_KEY");
    expect(deleted.code).toBe(0);
    const again = await runCliWithInput(dataDir, {}, "secrets", "delete", "--bot", botId, "API_KEY");
    expect(again.code).not.toBe(0);
    expect(again.stderr.text).toContain(`bot ${botId} has no secret API_KEY`);
  });
});
