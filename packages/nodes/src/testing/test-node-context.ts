import { type Logger, type NodeContext, ServiceContainer, type SystemVariables, VariablePool } from "@portflow/engine";

/** Options of {@link createTestNodeContext}. */
export interface TestNodeContextOptions<Config> {
  readonly config: Config;
  readonly services?: ServiceContainer;
  readonly system?: SystemVariables;
  readonly env?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly nodeId?: string;
  readonly attempt?: number;
}

/** A node context plus what the node emitted, for calling `node.run()` directly in tests. */
export interface TestNodeContext<Config> extends NodeContext<Config> {
  readonly chunks: string[];
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A hand-made {@link NodeContext} for unit tests of one node, without the executor.
 *
 * @example
 * const ctx = createTestNodeContext({ config: node.configSchema.parse({}), system: { bot_id: "b1" } });
 * const result = await node.run({ query: "hi" }, ctx);
 */
export function createTestNodeContext<Config>(options: TestNodeContextOptions<Config>): TestNodeContext<Config> {
  const nodeId = options.nodeId ?? "node";
  const pool = new VariablePool(options.system ?? {}, options.env ?? {});
  const chunks: string[] = [];
  return {
    runId: "test-run",
    nodeId,
    config: options.config,
    services: (options.services ?? new ServiceContainer()).forRequester(nodeId),
    signal: options.signal ?? new AbortController().signal,
    emit: (chunk) => {
      chunks.push(chunk);
    },
    logger: silentLogger,
    system: pool.system,
    render: (template, inputs) => pool.render(template, inputs),
    attempt: options.attempt ?? 1,
    conversation: { get: (name) => pool.conversation[name], set: (name, value) => pool.writeConversation(name, value) },
    chunks,
  };
}
