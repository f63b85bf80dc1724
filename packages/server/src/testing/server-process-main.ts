/**
 * A server process for tests: `startServer(loadConfig(process.env))`, then one JSON line with its
 * URL on stdout. Exits when SIGTERM's graceful shutdown is done.
 *
 * Test hook: `PORTFLOW_TEST_SLOW_CHAT_MS=<n>` replaces the chat model with a scripted one that
 * streams `PORTFLOW_TEST_SLOW_CHAT_WORDS` words (default 1,000), one every n ms (a long run).
 */
import { loadConfig } from "../config.ts";
import { startServer } from "../start-server.ts";
import { ScriptedChatModel } from "./scripted-chat-model.ts";

const slowMs = Number(process.env.PORTFLOW_TEST_SLOW_CHAT_MS ?? "");
const words = Number(process.env.PORTFLOW_TEST_SLOW_CHAT_WORDS ?? "1000");
const chatModel =
  slowMs > 0 ? new ScriptedChatModel({ answer: () => "word ".repeat(words), chunkDelayMs: slowMs }) : undefined;

const server = await startServer(loadConfig(process.env), { ...(chatModel !== undefined && { chatModel }) });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
