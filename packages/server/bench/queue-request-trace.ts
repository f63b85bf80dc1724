/**
 * One streamed chat in queue mode, traced hop by hop from outside the processes: the client's
 * own clock for sending and receiving, and Redis `MONITOR` (the server's clock, in microseconds)
 * for every command the API replica and the worker send on the way — the session read, the
 * enqueue, the worker taking the job, its cancel check, each event it appends and the API's
 * session write. No code in the server or the worker knows it is traced. The gaps name the work
 * between two commands (the database writes in between do not show up themselves).
 */
import { Redis } from "ioredis";
import type { BenchRow } from "./index.ts";

const TRACED = Number(process.env.BENCH_QUEUE_TRACED ?? 60);
const GROUP = "server";

/** The chat endpoint to trace (a server in queue mode with its workers up). */
export interface TraceTarget {
  readonly url: string;
  readonly botId: string;
  readonly authorization: string;
}

interface Command {
  /** Epoch milliseconds, sub-millisecond. */
  readonly at: number;
  readonly source: string;
  readonly args: readonly string[];
}

/** Epoch milliseconds with the sub-millisecond part (comparable with Redis' clock on this machine). */
const now = () => performance.timeOrigin + performance.now();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface StreamedChat {
  readonly runId: string;
  readonly sent: number;
  readonly firstToken: number;
  readonly finished: number;
}

async function streamChat(target: TraceTarget): Promise<StreamedChat> {
  const sent = now();
  const response = await fetch(`${target.url}/api/v1/chat`, {
    method: "POST",
    headers: { authorization: target.authorization, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: target.botId, message: "How long do refunds take?", stream: true }),
  });
  const runId = response.headers.get("x-portflow-run-id");
  if (runId === null) throw new Error(`chat answered ${response.status} without a run id`);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = "";
  let firstToken: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (firstToken === undefined && seen.includes("event: text")) firstToken = now();
  }
  if (firstToken === undefined) throw new Error(`no token streamed:\n${seen.slice(0, 500)}`);
  return { runId, sent, firstToken, finished: now() };
}

/** The event type an `XADD` of the run's stream appends. */
function appended(command: Command): string | undefined {
  if (command.args[0]?.toLowerCase() !== "xadd") return undefined;
  const json = command.args.at(-1) ?? "";
  return /"type":"([^"]+)"/.exec(json)?.[1];
}

/** [name, value, unit (default ms)] */
type Hop = [string, number, string?];

/** The hops of one chat in order (and what it appended); undefined when a command was not seen. */
function hopsOf(chat: StreamedChat, commands: readonly Command[]): Hop[] | undefined {
  const name = (c: Command) => c.args[0]?.toLowerCase();
  const script = (c: Command) => c.source !== "lua" && (name(c) === "evalsha" || name(c) === "eval");
  // Commands a connection sent (a script's own commands show up as "lua", after it).
  const mentions = commands.filter((c) => c.source !== "lua" && c.args.some((a) => a.includes(chat.runId)));
  const enqueue = mentions.find(script);
  // The script that moved the job to active names no job id: the one whose commands lock the job.
  const lock = commands.findIndex((c) => c.source === "lua" && name(c) === "set" && c.args[1]?.includes(chat.runId));
  const taken = commands.slice(0, Math.max(0, lock)).findLast(script);
  // Sent once `RunService.execute` returned (the run's start is written): is a cancel pending?
  const executed = mentions.find((c) => name(c) === "exists");
  const historyRead = commands.findLast(
    (c) => enqueue !== undefined && c.at >= chat.sent && c.at <= enqueue.at && name(c) === "lrange",
  );
  const started = mentions.find((c) => appended(c) === "run.started");
  const chunk = mentions.find((c) => appended(c) === "node.chunk");
  const finished = mentions.find((c) => appended(c) === "run.finished");
  const turnSaved = commands.find((c) => finished !== undefined && c.at >= finished.at && name(c) === "rpush");
  if (
    enqueue === undefined ||
    taken === undefined ||
    executed === undefined ||
    started === undefined ||
    chunk === undefined ||
    finished === undefined
  ) {
    return undefined;
  }
  const hops: Hop[] = [];
  if (historyRead !== undefined) {
    hops.push(["client sends → API reads the session", historyRead.at - chat.sent]);
    hops.push(["session read → API enqueues (run row written first)", enqueue.at - historyRead.at]);
  } else hops.push(["client sends → API enqueues", enqueue.at - chat.sent]);
  hops.push(
    ["enqueue → worker takes the job", taken.at - enqueue.at],
    ["job taken → run's start written (execute returned)", executed.at - taken.at],
    ["execute returned → run.started appended", started.at - executed.at],
    ["run.started → first chunk appended (nodes, their rows)", chunk.at - started.at],
    ["first chunk appended → client has the token", chat.firstToken - chunk.at],
    ["first chunk → run.finished appended", finished.at - chunk.at],
  );
  if (turnSaved !== undefined) {
    hops.push(["run.finished appended → API saves the turn", turnSaved.at - finished.at]);
    hops.push(["turn saved → client has run.finished", chat.finished - turnSaved.at]);
  } else hops.push(["run.finished appended → client has it", chat.finished - finished.at]);
  hops.push(["total: client sends → client has the token", chat.firstToken - chat.sent]);
  const appends = mentions.filter((c) => appended(c) !== undefined);
  hops.push(["events appended", appends.length, "events"]);
  hops.push(["run.finished event JSON", Buffer.byteLength(finished.args.at(-1) ?? "") / 1024, "KiB"]);
  return hops;
}

/**
 * Medians per hop over {@link TRACED} sequential streamed chats against `target`, watched by a
 * `MONITOR` connection to `redisUrl` (which slows Redis a little: these rows explain the
 * sequential figures, they do not replace them).
 */
export async function queueTraceRows(target: TraceTarget, redisUrl: string): Promise<BenchRow[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const monitor = await redis.monitor();
  const commands: Command[] = [];
  monitor.on("monitor", (time: string, args: string[], source: string) => {
    commands.push({ at: Number(time) * 1000, source, args });
  });
  const byHop = new Map<string, number[]>();
  const units = new Map<string, string>();
  let traced = 0;
  try {
    for (let i = 0; i < TRACED + 5; i++) {
      const chat = await streamChat(target);
      // The last commands of this chat (the worker's job completion) may still be on their way: they are not used.
      const hops = hopsOf(chat, commands);
      commands.splice(0);
      if (i < 5 || hops === undefined) continue; // the first ones warm up
      traced++;
      for (const [hop, value, unit] of hops) {
        byHop.set(hop, [...(byHop.get(hop) ?? []), value]);
        if (unit !== undefined) units.set(hop, unit);
      }
    }
  } finally {
    monitor.disconnect();
    redis.disconnect();
  }
  const note = `median of ${traced} streamed chats, Redis MONITOR + client clock`;
  return [...byHop].map(([hop, values]) => ({
    group: GROUP,
    name: `queue trace: ${hop}`,
    value: median(values),
    unit: units.get(hop) ?? "ms",
    note,
  }));
}
