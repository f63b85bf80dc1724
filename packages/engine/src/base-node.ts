import type { z } from "zod";
import type { BodyRunner } from "./body-runner.ts";
import type { NodePortSchema } from "./port-definition.ts";
import type { ServiceResolver } from "./service-container.ts";
import type { Logger, TokenUsage } from "./services.ts";
import type { SystemVariables } from "./variable-pool.ts";

/** What a node sees while it runs. */
export interface NodeContext<Config = unknown> {
  readonly runId: string;
  readonly nodeId: string;
  readonly config: Config;
  /** Services for this run; a missing one fails with an error naming this node. */
  readonly services: ServiceResolver;
  /** Aborted on run cancellation, run time limit or this node's timeout. Pass it down. */
  readonly signal: AbortSignal;
  /** Streams a chunk (an LLM text delta, say) to run listeners as `node.chunk`. */
  emit(chunk: string): void;
  readonly logger: Logger;
  readonly system: Readonly<SystemVariables>;
  /** Renders `{{port}}`, `{{sys.query}}`, `{{env.NAME}}` and dotted paths; throws naming a missing variable. */
  render(template: string, inputs: Readonly<Record<string, unknown>>): string;
  /** 1 on the first attempt, counting up on retries. */
  readonly attempt: number;
  /** The session's conversation variables: reads see this run's earlier writes. */
  readonly conversation: ConversationAccess;
  /** Container nodes only (`container` set on the type): runs the body once per call. */
  readonly body?: BodyRunner | undefined;
}

/** Reads and writes the run's conversation variables. */
export interface ConversationAccess {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
}

/** What a node returns from one successful run. */
export interface NodeRunResult<Outputs> {
  readonly outputs: Outputs;
  /** Diagnostic data kept on the record (rendered prompt, timings, ...). */
  readonly processData?: Readonly<Record<string, unknown>>;
  readonly tokens?: TokenUsage;
  /** For branching nodes: the branch port taken. */
  readonly branch?: string;
}

/**
 * A node type: a config schema, the ports a config gives rise to, and `run`.
 * Instances are stateless and shared across runs.
 *
 * @example
 * class UpperNode extends BaseNodeV2<{}, { text: string }, { text: string }> {
 *   readonly type = "upper";
 *   readonly configSchema = z.object({});
 *   ports() { return { inputs: [{ name: "text", type: "string", required: true }],
 *                      outputs: [{ name: "text", type: "string" }] }; }
 *   run(inputs) { return { outputs: { text: inputs.text.toUpperCase() } }; }
 * }
 */
export abstract class BaseNodeV2<
  Config = unknown,
  Inputs extends Record<string, unknown> = Record<string, unknown>,
  Outputs extends Record<string, unknown> = Record<string, unknown>,
> {
  abstract readonly type: string;
  abstract readonly configSchema: z.ZodType<Config>;
  readonly description: string = "";
  /**
   * Set by container types (iteration, loop): nodes whose `parent_id` names a node of this type
   * form its body, and `body` on the context runs it.
   */
  readonly container?: { readonly startType: string };
  /**
   * For streaming nodes (the LLM): the output port whose value is its emitted chunks joined, so
   * an `answer` embedding that port can stream the chunks through as they arrive.
   */
  readonly streamsTo?: string;

  abstract ports(config: Config): NodePortSchema;

  abstract run(inputs: Inputs, ctx: NodeContext<Config>): Promise<NodeRunResult<Outputs>> | NodeRunResult<Outputs>;
}

/** A node type with its generic parameters erased, as the registry and executor hold it. */
export type AnyNode = BaseNodeV2<unknown, Record<string, unknown>, Record<string, unknown>>;
