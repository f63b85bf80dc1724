import type { RunEvent } from "@portflow/engine";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../testing/redis-server.ts";
import { runFinishedEvent as finished } from "../testing/run-finished-event.ts";
import { RedisRunEventLog } from "./redis-run-event-log.ts";

const redisServer: RedisServer | undefined = await startRedisServer();

const chunk = (runId: string, i: number): RunEvent => ({ type: "node.chunk", runId, nodeId: "answer", chunk: `w${i}` });
const chunkText = (event: RunEvent) => (event.type === "node.chunk" ? event.chunk : event.type);

describe.skipIf(redisServer === undefined)("RedisRunEventLog on a real redis-server", () => {
  let redis: Redis;
  let admin: Redis;
  let log: RedisRunEventLog;

  beforeAll(() => {
    redis = new Redis(redisServer?.url ?? "", { maxRetriesPerRequest: null });
    admin = new Redis(redisServer?.url ?? "");
    log = new RedisRunEventLog(redis);
  });
  afterAll(async () => {
    log?.close();
    redis?.disconnect();
    admin?.disconnect();
    await redisServer?.stop();
  });

  /** Connections redis-server has accepted since it started. */
  const connectionsReceived = async () =>
    Number(/total_connections_received:(\d+)/.exec(await admin.info("stats"))?.[1]);
  /** Clients blocked in a command now (a reader waiting in XREAD BLOCK). */
  const blockedClients = async () => Number(/blocked_clients:(\d+)/.exec(await admin.info("clients"))?.[1]);

  async function readAll(runId: string): Promise<string[]> {
    const seen: string[] = [];
    for await (const { event } of log.read(runId)) seen.push(chunkText(event));
    return seen;
  }

  it("reads of one run after another share one reader connection instead of opening one each", async () => {
    for (let r = 0; r < 5; r++) await log.append(`shared-${r}`, finished(`shared-${r}`));
    await readAll("shared-0"); // the first read may open the connection
    const before = await connectionsReceived();
    for (let r = 1; r < 5; r++) expect(await readAll(`shared-${r}`)).toEqual(["run.finished"]);
    expect(await connectionsReceived()).toBe(before);
  });

  it("events appended while the consumer is busy with earlier ones arrive once each, in order", async () => {
    const runId = "busy-consumer";
    const seen: string[] = [];
    let appended = 0;
    await log.append(runId, chunk(runId, appended++));
    for await (const { event } of log.read(runId)) {
      seen.push(chunkText(event));
      if (event.type === "run.finished") break;
      // More events land while this one is being handled, some while the next read waits.
      if (appended < 12) await Promise.all([0, 1].map(() => log.append(runId, chunk(runId, appended++))));
      else await log.append(runId, finished(runId));
    }
    expect(appended).toBeGreaterThanOrEqual(12);
    expect(seen).toEqual([...Array.from({ length: appended }, (_, i) => `w${i}`), "run.finished"]);
  });

  it("a consumer that stops mid-run leaves no reader blocked on Redis, and the next read has every event", async () => {
    const runId = "stopped-early";
    await log.append(runId, chunk(runId, 0));
    for await (const { event } of log.read(runId)) {
      expect(chunkText(event)).toBe("w0");
      break; // the log read ahead: a blocking read for the next events is in flight now
    }
    const deadline = Date.now() + 5_000;
    while ((await blockedClients()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await blockedClients()).toBe(0);
    await log.append(runId, finished(runId));
    expect(await readAll(runId)).toEqual(["w0", "run.finished"]);
  });

  it("an abort ends a read that is waiting for events", async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const { event } of log.read("waiting", { signal: abort.signal })) seen.push(chunkText(event));
    })();
    const deadline = Date.now() + 5_000;
    while ((await blockedClients()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    await reading;
    expect(seen).toEqual([]);
    expect(await readAll("shared-1")).toEqual(["run.finished"]);
  });
});
