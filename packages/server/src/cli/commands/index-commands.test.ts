import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/make-temp-dir.ts";
import { runCliInProcess, runCliOrThrow } from "../../testing/run-cli-in-process.ts";

let data: string;
let botId: string;

beforeAll(async () => {
  data = await makeTempDir("portflow-index-");
  const guide = join(data, "guide.md");
  const sections = ["Refunds", "Shipping", "Returns", "Warranty", "Invoices", "Accounts", "Security", "Support"];
  await writeFile(
    guide,
    sections.map((s, i) => `# ${s}\n\n${s} rules: step ${i} applies within ${i + 2} business days.\n`).join("\n"),
  );
  botId = JSON.parse(await runCliOrThrow(data, "bots", "create", "--name", "indexed", "--json")).id;
  await runCliOrThrow(data, "ingest", "--bot", botId, guide);
}, 120_000);
afterAll(() => rm(data, { recursive: true, force: true }));

describe("portflow index", () => {
  it("shows exact search without an index, builds and measures one, then drops it", { timeout: 120_000 }, async () => {
    const before = JSON.parse(await runCliOrThrow(data, "index", "status", "--bot", botId, "--json"));
    expect(before).toMatchObject({ bot_id: botId, index: "none", searches: "exact", calibration: null });
    expect(before.chunks).toBeGreaterThan(0);

    const built = await runCliInProcess(data, "index", "build", "--bot", botId);
    expect(built.code).toBe(0);
    expect(built.stderr.text).toContain(`building and measuring the index of bot ${botId}`);
    expect(built.stdout.text).toContain(
      `bot ${botId}: ${before.chunks} chunks, index valid; searches go through the index at ef_search 100`,
    );
    expect(built.stdout.text).toMatch(
      /measured \S+ on \d+ queries near its chunks .*recall@5 1\.00 at ef_search 100 \(wanted 0\.95\)/,
    );
    expect(built.stdout.text).toMatch(/ef_search\s+recall@5\s+p50 ms\n\s*100\s+1\.00\s+\d/);

    const status = JSON.parse(await runCliOrThrow(data, "index", "status", "--bot", botId, "--json"));
    expect(status).toMatchObject({
      index: "valid",
      searches: "index",
      ef_search: 100,
      calibration: { search: "index", ef_search: 100, recall: 1, chunks: before.chunks },
    });

    const dropped = await runCliOrThrow(data, "index", "drop", "--bot", botId);
    expect(dropped).toContain(`dropped the index of bot ${botId}: its searches are exact`);
    expect(JSON.parse(await runCliOrThrow(data, "index", "status", "--bot", botId, "--json"))).toMatchObject({
      index: "none",
      searches: "exact",
      calibration: null,
    });
  });

  it("names a bot that does not exist", { timeout: 60_000 }, async () => {
    const result = await runCliInProcess(data, "index", "status", "--bot", "nope");
    expect(result.code).toBe(1);
    expect(result.stderr.text).toContain("bot nope does not exist");
  });
});
