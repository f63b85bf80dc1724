import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { RunResult, WorkflowProblem } from "@portflow/engine";
import type { Command } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTokens } from "../format-tokens.ts";
import { INTERRUPTED_EXIT_CODE, withInterrupt } from "../interrupt-signal.ts";
import { nodeExecutionJson } from "../node-execution-json.ts";
import { nodeTimeline } from "../node-timeline.ts";
import { readModelMap } from "../read-model-map.ts";
import { requireBot } from "../require-bot.ts";

interface WorkflowRunOptions {
  readonly input: string[];
  readonly query?: string;
  readonly bot?: string;
  readonly modelMap?: string;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read it (${(error as Error).message})`,
    );
  }
}

/** The workflow JSON of a file: V2 JSON as is, a Dify `.yml`/`.yaml` imported on the fly. */
async function loadWorkflow(file: string, options: WorkflowRunOptions, session: CliSession): Promise<unknown> {
  const text = await readText(file);
  const extension = extname(file).toLowerCase();
  if (extension === ".yml" || extension === ".yaml") {
    const modelMap = options.modelMap !== undefined ? await readModelMap(options.modelMap) : undefined;
    const { importDifyDsl } = await import("@portflow/dify");
    const result = importDifyDsl(text, modelMap !== undefined ? { modelMap } : {});
    for (const p of result.problems) session.err(`import problem: ${p.path}: ${p.message} [${p.code}]`);
    if (result.workflow === undefined) throw new CliError(`${file}: not a Dify workflow Portflow can import`);
    return result.workflow;
  }
  if (options.modelMap !== undefined) throw new CliError("--model-map applies to a Dify .yml file only", 2);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The start node's declared inputs by name and type, to read `--input` values as they are declared. */
function startInputTypes(workflow: unknown): Map<string, string> {
  const nodes = (workflow as { nodes?: unknown }).nodes;
  const start = Array.isArray(nodes)
    ? (nodes.find((n) => (n as { type?: unknown })?.type === "start") as { config?: { inputs?: unknown } } | undefined)
    : undefined;
  const inputs = Array.isArray(start?.config?.inputs) ? start.config.inputs : [{ name: "query", type: "string" }];
  return new Map(
    inputs
      .filter((i): i is { name: string; type: string } => typeof i?.name === "string" && typeof i?.type === "string")
      .map((i) => [i.name, i.type]),
  );
}

/** `--input name=value`… as run inputs: a string input takes the text as is, others parse it as JSON. */
function runInputs(pairs: readonly string[], types: ReadonlyMap<string, string>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--input ${pair}: expected name=value`, 2);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const type = types.get(name);
    if (type === undefined) {
      throw new CliError(
        `--input ${name}: the start node declares no such input (declared: ${[...types.keys()].join(", ") || "none"})`,
        2,
      );
    }
    if (type === "string") inputs[name] = raw;
    else {
      try {
        inputs[name] = JSON.parse(raw) as unknown;
      } catch {
        inputs[name] = raw; // the start node reports the type mismatch, naming the input
      }
    }
  }
  return inputs;
}

/** The result in the HTTP API's snake_case: `{status, run_id, answer, outputs, error, totals, nodes}`. */
function resultJson(result: RunResult) {
  const tokens = (t: { input: number; output: number }) => ({ input: t.input, output: t.output });
  return {
    run_id: result.runId,
    status: result.status,
    answer: typeof result.outputs.answer === "string" ? result.outputs.answer : null,
    outputs: result.outputs,
    error: result.error
      ? { message: result.error.message, node_id: result.error.nodeId ?? null, code: result.error.code ?? null }
      : null,
    ...(result.conversation !== undefined && { conversation: result.conversation.values }),
    totals: { steps: result.totals.steps, elapsed_ms: result.totals.elapsedMs, tokens: tokens(result.totals.tokens) },
    nodes: result.nodes.map(nodeExecutionJson),
  };
}

function printProblems(problems: readonly WorkflowProblem[], session: CliSession): void {
  for (const p of problems) session.err(`problem: ${p.path}: ${p.message} [${p.code}]`);
}

/**
 * `portflow workflow run <file.json|file.yml>`: runs a workflow file once, never publishing or
 * recording it. Without `--bot` it needs no database and runs on the offline providers; with
 * `--bot` it runs with that bot's documents and secrets on the configured providers.
 */
export function registerWorkflowRunCommand(program: Command, session: CliSession): void {
  const workflow = program.commands.find((c) => c.name() === "workflow") ?? program.command("workflow");
  workflow
    .command("run")
    .description(
      "run a workflow file once (V2 JSON, or a Dify .yml imported on the fly) without publishing it: offline providers, no database, unless --bot",
    )
    .argument("<file>", "workflow JSON (schema_version 2) or a Dify DSL .yml")
    .option("--input <name=value>", "a start input (repeatable); non-string inputs are read as JSON", collect, [])
    .option("--query <text>", "the user's question: sys.query, and the `query` input when the start declares it")
    .option("--bot <bot-id>", "search this bot's documents and use its secrets, on the configured providers")
    .option("--model-map <file>", "for a .yml: JSON mapping Dify models to Portflow {provider, name}")
    .option("--json", "print {run_id, status, answer, outputs, error, totals, nodes} as JSON")
    .action(async (file: string, options: WorkflowRunOptions) => {
      const json = await loadWorkflow(file, options, session);
      const types = startInputTypes(json);
      const inputs = runInputs(options.input, types);
      if (options.query !== undefined && types.has("query") && !("query" in inputs)) inputs.query = options.query;
      const query = options.query ?? (typeof inputs.query === "string" ? inputs.query : undefined);

      const { validateWorkflow, WorkflowExecutorV2, ServiceContainer, Services } = await import("@portflow/engine");
      let run: (signal: AbortSignal) => Promise<RunResult>;
      if (options.bot !== undefined) {
        const { storage, runner, registry } = await session.context();
        const bot = await requireBot(storage, options.bot);
        const validation = validateWorkflow(json, registry, { allowV1: false });
        if (!validation.ok) {
          printProblems(validation.problems, session);
          throw new CliError(`${file} is invalid (${validation.problems.length} problems)`);
        }
        const system = { bot_id: bot.id, ...(query !== undefined && { query }) };
        run = (signal) => runner.start({ kind: "v2", graph: json }, inputs, { signal, system }).result;
      } else {
        const { createNodeRegistry } = await import("@portflow/nodes");
        const { LocalChatModel, LocalEmbedder } = await import("@portflow/nodes/local");
        const { http } = session.config;
        const registry = createNodeRegistry({ http: { allow: http.allow, maxResponseBytes: http.maxResponseBytes } });
        const validation = validateWorkflow(json, registry, { allowV1: false });
        if (!validation.ok) {
          printProblems(validation.problems, session);
          throw new CliError(`${file} is invalid (${validation.problems.length} problems)`);
        }
        const knowledge = validation.workflow?.nodes.find((n) => n.type === "knowledge");
        if (knowledge !== undefined) {
          throw new CliError(`knowledge node "${knowledge.id}" searches a bot's documents: pass --bot <bot-id>`, 2);
        }
        const services = new ServiceContainer()
          .register(Services.ChatModel, new LocalChatModel())
          .register(Services.Embedder, new LocalEmbedder());
        const executor = new WorkflowExecutorV2(registry, { services });
        const system = query !== undefined ? { query } : {};
        run = (signal) => executor.run(json, inputs, { signal, system });
      }
      await withInterrupt(async (signal) => {
        const result = await run(signal);
        if (options.json === true) session.json(resultJson(result));
        else {
          const answer = typeof result.outputs.answer === "string" ? result.outputs.answer : undefined;
          if (answer !== undefined) session.out(answer);
          else session.out(JSON.stringify(result.outputs, null, 2));
          session.out("");
          const tokens = formatTokens(result.totals.tokens);
          session.out(
            `run ${result.status} in ${result.totals.elapsedMs.toFixed(0)} ms, ${result.totals.steps} steps${tokens !== undefined ? `, ${tokens} tokens` : ""}`,
          );
          session.out(nodeTimeline(result));
        }
        if (result.status === "failed" || result.status === "cancelled") {
          const where = result.error?.nodeId !== undefined ? ` at node ${result.error.nodeId}` : "";
          throw new CliError(
            `run ${result.status}${where}: ${result.error?.message ?? "no detail"}`,
            signal.aborted ? INTERRUPTED_EXIT_CODE : 1,
          );
        }
      });
    });
}
