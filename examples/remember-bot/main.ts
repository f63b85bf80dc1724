/**
 * A chat bot that remembers the user's name across turns (a conversation variable written by an
 * `assigner`) and answers several questions of one message in one turn (an `iteration` whose body
 * retrieves, asks the model and says each answer through an `answer` node). Runs the real server
 * in-process on embedded PGlite with the offline providers, and talks to it over HTTP.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig, startServer } from "@portflow/server";

const HERE = import.meta.dirname;
const DOCUMENTS = join(HERE, "../rag-bot/documents");

export interface Turn {
  readonly message: string;
  readonly answer: string;
  readonly runId: string;
}

export interface Transcript {
  readonly turns: readonly Turn[];
  readonly variables: Record<string, unknown>;
}

export async function main(messages: readonly string[]): Promise<Transcript> {
  const adminKey = `pf_${randomBytes(24).toString("base64url")}`;
  const server = await startServer(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      PORTFLOW_DATA_DIR: "memory://",
      LLM_PROVIDER: "local",
      LOG_LEVEL: "warn",
      PORTFLOW_ADMIN_KEY: adminKey,
    }),
    { handleSignals: false },
  );
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const bot = (await api("POST", "/bots", { name: "Remembers you" })) as { id: string };
    for (const name of ["returns-policy.md", "shipping.txt", "warranty.md"]) {
      const form = new FormData();
      form.append("file", new Blob([await readFile(join(DOCUMENTS, name))]), name);
      const res = await fetch(`${server.url}/api/v1/bots/${bot.id}/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}` },
        body: form,
      });
      if (!res.ok) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
    }
    const graph = JSON.parse(await readFile(join(HERE, "workflow.json"), "utf8")) as unknown;
    const draft = (await api("PUT", `/bots/${bot.id}/workflow-versions/draft`, { graph, revision: 0 })) as {
      problems: unknown[];
    };
    if (draft.problems.length > 0) throw new Error(`the workflow is invalid: ${JSON.stringify(draft.problems)}`);
    await api("POST", `/bots/${bot.id}/workflow-versions/draft/publish`);

    const sessionId = "remember-bot-demo";
    const turns: Turn[] = [];
    for (const message of messages) {
      const reply = (await api("POST", "/chat", { bot_id: bot.id, message, session_id: sessionId })) as {
        response: string;
        run_id: string;
      };
      turns.push({ message, answer: reply.response, runId: reply.run_id });
    }
    const stored = (await api("GET", `/bots/${bot.id}/sessions/${sessionId}/variables`)) as {
      variables: { name: string; value: unknown }[];
    };
    return { turns, variables: Object.fromEntries(stored.variables.map((v) => [v.name, v.value])) };
  } finally {
    await server.close();
  }
}

export const DEMO_MESSAGES = [
  "My name is Ada. How many days do I have to return a bike? Do you ship to Norway?",
  "Is my e-bike battery covered if it loses capacity?",
];

if (process.argv[1]?.endsWith("main.ts")) {
  const transcript = await main(DEMO_MESSAGES);
  for (const turn of transcript.turns) {
    process.stdout.write(`\nYou: ${turn.message}\nBot: ${turn.answer}\n(run ${turn.runId})\n`);
  }
  process.stdout.write(`\nConversation variables: ${JSON.stringify(transcript.variables)}\n`);
}
