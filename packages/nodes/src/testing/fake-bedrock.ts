import { randomUUID } from "node:crypto";
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import { keywordQueryTerms, keywordTokens } from "@portflow/engine";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { LocalEmbedder } from "../local/local-embedder.ts";
import { localStructuredOutput } from "../local/local-structured-output.ts";
import { restrictedJsonSchemaSchema } from "../structured/json-schema-zod.ts";

/** The operations the fake implements. */
export type FakeBedrockOperation = "invoke" | "converse" | "converse-stream" | "rerank";

/**
 * A scripted fault. Each applies to the next `times` matching requests (default 1; `Infinity`
 * for a persistent fault), in the order scripted.
 */
export type FakeBedrockFault =
  | { readonly kind: "throttle"; readonly times?: number; readonly operation?: FakeBedrockOperation }
  | {
      readonly kind: "error";
      /** HTTP status, e.g. 400, 403, 500, 503. */
      readonly status: number;
      /** Bedrock's error type, e.g. `ValidationException`, `AccessDeniedException`. */
      readonly type: string;
      readonly message?: string;
      readonly times?: number;
      readonly operation?: FakeBedrockOperation;
    }
  | {
      /** A 200 answer whose JSON body lacks the expected fields. */
      readonly kind: "malformed";
      readonly times?: number;
      readonly operation?: FakeBedrockOperation;
    }
  | {
      /** ConverseStream only: an exception frame after `afterDeltas` text deltas. */
      readonly kind: "mid-stream-exception";
      readonly afterDeltas?: number;
      /** lowerCamel event name as Bedrock sends it: `throttlingException`, `modelStreamErrorException`. */
      readonly exceptionType?: string;
      readonly message?: string;
      readonly times?: number;
    }
  | {
      /** ConverseStream only: wait this long before each frame (for cancellation tests). */
      readonly kind: "slow-stream";
      readonly delayMs: number;
      readonly times?: number;
    };

/** One request the fake received. */
export interface FakeBedrockRequest {
  readonly operation: FakeBedrockOperation | "unknown";
  /** The model id, percent-decoded from the path. */
  readonly modelId: string;
  /** The raw request path (the model id is percent-encoded there). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The HTTP status the fake answered with. */
  status: number;
  /** The fault applied, if any. */
  fault?: FakeBedrockFault["kind"];
}

/** What a converse reply consists of. */
export interface FakeBedrockReply {
  readonly text: string;
  readonly stopReason?: string;
}

/** Options of {@link startFakeBedrock}. */
export interface FakeBedrockOptions {
  /** `http2` (the SDK's default since 3.798; cleartext, prior knowledge) or `http1` (for NodeHttpHandler). */
  readonly protocol?: "http2" | "http1";
  /** The answer to a converse request. Default: a deterministic echo of the last user message. */
  readonly reply?: (request: { readonly modelId: string; readonly body: ConverseBody }) => FakeBedrockReply;
  /**
   * The tool input a converse request with `toolConfig` gets (the forced tool's JSON). Default:
   * the offline extractor (`localStructuredOutput`) over the tool's schema and the last user message.
   */
  readonly toolReply?: (request: { readonly modelId: string; readonly body: ConverseBody }) => unknown;
  /** Characters per streamed text delta. Default 8. */
  readonly deltaSize?: number;
  /**
   * The relevance a rerank model gives a document for a query. Default: the share of the
   * query's keyword tokens the document holds (deterministic, 0..1).
   */
  readonly rerankScore?: (query: string, document: string) => number;
}

/** Rerank model ids the fake knows (as Bedrock's, in foundation-model ARNs). */
export const FAKE_RERANK_MODELS = ["amazon.rerank-v1:0", "cohere.rerank-v3-5:0"] as const;

function defaultRerankScore(query: string, document: string): number {
  const terms = keywordQueryTerms(query);
  if (terms.length === 0) return 0;
  const held = new Set(keywordTokens(document));
  return terms.filter((t) => held.has(t)).length / terms.length;
}

/** The parts of a Rerank request body the fake reads. */
interface RerankBody {
  readonly queries?: readonly { readonly type?: string; readonly textQuery?: { readonly text?: unknown } }[];
  readonly sources?: readonly {
    readonly type?: string;
    readonly inlineDocumentSource?: { readonly type?: string; readonly textDocument?: { readonly text?: unknown } };
  }[];
  readonly rerankingConfiguration?: {
    readonly type?: string;
    readonly bedrockRerankingConfiguration?: {
      readonly numberOfResults?: unknown;
      readonly modelConfiguration?: { readonly modelArn?: unknown };
    };
  };
}

/** Requests held by {@link FakeBedrock.hold} until the test lets them through. */
export interface FakeBedrockGate {
  /** Requests received and waiting now. */
  readonly waiting: number;
  /** Resolves once at least `count` requests are waiting. */
  untilWaiting(count: number): Promise<void>;
  /** Lets the oldest waiting request be answered. */
  releaseOne(): void;
  /** Lets every waiting request through and stops holding new ones. */
  open(): void;
}

/** The parts of a Converse request body the fake reads. */
export interface ConverseBody {
  readonly system?: readonly { readonly text?: string }[];
  readonly messages?: readonly { readonly role: string; readonly content: readonly { readonly text?: string }[] }[];
  readonly toolConfig?: {
    readonly tools?: readonly {
      readonly toolSpec?: { readonly name?: string; readonly inputSchema?: { readonly json?: unknown } };
    }[];
    readonly toolChoice?: { readonly tool?: { readonly name?: string } };
  };
  readonly inferenceConfig?: {
    readonly maxTokens?: number;
    readonly temperature?: number;
    readonly topP?: number;
    readonly stopSequences?: readonly string[];
  };
}

/** A running fake Bedrock server. */
export interface FakeBedrock {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: FakeBedrockRequest[];
  /** Requests being answered right now, and the most there ever were at once (since start or reset). */
  readonly stats: { readonly inFlight: number; readonly maxInFlight: number };
  /** Appends faults to the script. */
  script(...faults: FakeBedrockFault[]): void;
  /** Holds every request from now on, once received, until the gate releases it (to observe concurrency). */
  hold(): FakeBedrockGate;
  /** Drops the remaining scripted faults and the request log, and opens a gate left holding. */
  reset(): void;
  close(): Promise<void>;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const TITAN_MAX_CHARS = 50_000;

function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function lastUserText(body: ConverseBody): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  return (user?.content ?? []).map((c) => c.text ?? "").join("");
}

function defaultReply(request: { body: ConverseBody }): FakeBedrockReply {
  const question = lastUserText(request.body).replace(/\s+/g, " ").trim();
  return { text: `Fake Bedrock answer to: ${question.slice(-120)}`, stopReason: "end_turn" };
}

function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "exception" },
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** Splits by code points, so a delta never ends inside a surrogate pair. */
function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/**
 * Starts a fake Amazon Bedrock runtime on 127.0.0.1 that the real AWS SDK client talks to
 * (`endpoint` override, any static credentials). Implements `POST /model/{modelId}/invoke`
 * (Titan text embeddings v2, via the offline hashing embedder), `/converse` and
 * `/converse-stream` (AWS event stream frames), and the agent runtime's `POST /rerank`
 * (Amazon/Cohere rerank models, scored by `rerankScore`), with scripted faults.
 *
 * @example
 * const fake = await startFakeBedrock();
 * fake.script({ kind: "throttle", times: 1 });
 * const client = new BedrockRuntimeClient(fakeBedrockClientConfig(fake));
 * // ... run tests ...
 * await fake.close();
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const requests: FakeBedrockRequest[] = [];
  const faults: { fault: FakeBedrockFault; remaining: number }[] = [];
  const embedders = new Map<number, LocalEmbedder>();
  const reply = options.reply ?? defaultReply;
  const deltaSize = options.deltaSize ?? 8;
  const openResponses = new Set<Res>();
  const stats = { inFlight: 0, maxInFlight: 0 };
  let gate: (FakeBedrockGate & { wait(): Promise<void> }) | undefined;

  const createGate = (): FakeBedrockGate & { wait(): Promise<void> } => {
    const held: (() => void)[] = [];
    const watchers: { count: number; resolve: () => void }[] = [];
    const notify = () => {
      for (const w of [...watchers]) {
        if (held.length >= w.count) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    const self = {
      get waiting() {
        return held.length;
      },
      wait: () =>
        new Promise<void>((resolve) => {
          held.push(resolve);
          notify();
        }),
      untilWaiting: (count: number) =>
        new Promise<void>((resolve) => {
          watchers.push({ count, resolve });
          notify();
        }),
      releaseOne: () => held.shift()?.(),
      open: () => {
        if (gate === self) gate = undefined;
        for (const release of held.splice(0)) release();
      },
    };
    return self;
  };

  const takeFault = (operation: FakeBedrockOperation): FakeBedrockFault | undefined => {
    const entry = faults.find((f) => {
      if (f.remaining <= 0) return false;
      const kind = f.fault.kind;
      if (kind === "mid-stream-exception" || kind === "slow-stream") return operation === "converse-stream";
      return f.fault.operation === undefined || f.fault.operation === operation;
    });
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  };

  const sendJson = (res: Res, status: number, payload: unknown, headers: Record<string, string> = {}) => {
    const body = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID(), ...headers });
    res.end(body);
  };

  const sendError = (res: Res, record: FakeBedrockRequest, status: number, type: string, message: string) => {
    record.status = status;
    sendJson(res, status, { message }, { "x-amzn-errortype": type });
  };

  const rerankScore = options.rerankScore ?? defaultRerankScore;
  const answerRerank = (res: Res, record: FakeBedrockRequest, body: RerankBody) => {
    const invalid = (message: string) => sendError(res, record, 400, "ValidationException", message);
    const query = body.queries?.[0];
    if (body.queries?.length !== 1 || query?.type !== "TEXT" || typeof query.textQuery?.text !== "string") {
      return invalid("queries must hold exactly one TEXT query");
    }
    const sources = body.sources ?? [];
    const texts = sources.map((s) =>
      s.type === "INLINE" && s.inlineDocumentSource?.type === "TEXT" ? s.inlineDocumentSource.textDocument?.text : null,
    );
    if (texts.length === 0 || texts.length > 1_000) return invalid("sources must hold 1 to 1000 documents");
    if (texts.some((t) => typeof t !== "string")) return invalid("every source must be an INLINE TEXT document");
    const config = body.rerankingConfiguration?.bedrockRerankingConfiguration;
    const arn = config?.modelConfiguration?.modelArn;
    const model =
      typeof arn === "string" ? /^arn:aws:bedrock:[a-z0-9-]+::foundation-model\/(.+)$/.exec(arn)?.[1] : undefined;
    if (body.rerankingConfiguration?.type !== "BEDROCK_RERANKING_MODEL" || model === undefined) {
      return invalid("rerankingConfiguration needs a BEDROCK_RERANKING_MODEL with a foundation-model ARN");
    }
    if (!(FAKE_RERANK_MODELS as readonly string[]).includes(model)) {
      return invalid(`The provided model identifier is invalid: ${model}`);
    }
    const count = config?.numberOfResults ?? texts.length;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > texts.length) {
      return invalid("numberOfResults must be between 1 and the number of sources");
    }
    const results = (texts as string[])
      .map((text, index) => ({ index, relevanceScore: rerankScore(query.textQuery?.text as string, text) }))
      .sort((a, b) => b.relevanceScore - a.relevanceScore || a.index - b.index)
      .slice(0, count);
    sendJson(res, 200, { results });
  };

  const handle = async (req: Req, res: Res) => {
    openResponses.add(res);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on("close", () => {
      openResponses.delete(res);
      stats.inFlight--;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "";
    const route = path.split("?")[0] ?? "";
    const match =
      route === "/rerank"
        ? (["/rerank", "", "rerank"] as const)
        : /^\/model\/([^/]+)\/(invoke|converse|converse-stream)$/.exec(route);
    let body: unknown;
    try {
      body = raw === "" ? {} : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const record: FakeBedrockRequest = {
      operation: (match?.[2] as FakeBedrockOperation | undefined) ?? "unknown",
      modelId: match ? decodeURIComponent(match[1] as string) : "",
      path,
      headers,
      body,
      status: 200,
    };
    requests.push(record);
    if (gate) await gate.wait();
    if (!match || req.method !== "POST") {
      sendError(res, record, 404, "UnknownOperationException", `no route for ${req.method} ${path}`);
      return;
    }
    const operation = match[2] as FakeBedrockOperation;
    const fault = takeFault(operation);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === "throttle") {
      sendError(res, record, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
      return;
    }
    if (fault?.kind === "error") {
      sendError(res, record, fault.status, fault.type, fault.message ?? `${fault.type} from the fake`);
      return;
    }
    if (fault?.kind === "malformed") {
      sendJson(res, 200, { unexpected: true });
      return;
    }
    if (typeof body !== "object" || body === null) {
      sendError(res, record, 400, "ValidationException", "Malformed input request: the body is not JSON.");
      return;
    }

    if (operation === "rerank") {
      answerRerank(res, record, body as RerankBody);
      return;
    }

    if (operation === "invoke") {
      const input = body as { inputText?: unknown; dimensions?: unknown; normalize?: unknown };
      if (typeof input.inputText !== "string" || input.inputText === "") {
        sendError(
          res,
          record,
          400,
          "ValidationException",
          "Malformed input request: #: required key [inputText] not found",
        );
        return;
      }
      if (input.inputText.length > TITAN_MAX_CHARS) {
        sendError(res, record, 400, "ValidationException", "Malformed input request: expected maxLength: 50000");
        return;
      }
      const dims = input.dimensions ?? 1024;
      if (dims !== 256 && dims !== 512 && dims !== 1024) {
        sendError(
          res,
          record,
          400,
          "ValidationException",
          "Malformed input request: dimensions must be 256, 512 or 1024",
        );
        return;
      }
      let embedder = embedders.get(dims);
      if (!embedder) {
        embedder = new LocalEmbedder({ dimensions: dims });
        embedders.set(dims, embedder);
      }
      const { vector } = embedder.embedOne(input.inputText);
      const embedding = input.normalize === false ? vector.map((x) => x * 3) : vector;
      const tokens = tokenCount(input.inputText);
      sendJson(
        res,
        200,
        { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens },
        { "x-amzn-bedrock-input-token-count": String(tokens) },
      );
      return;
    }

    const converse = body as ConverseBody;
    if (!Array.isArray(converse.messages) || converse.messages.length === 0) {
      sendError(res, record, 400, "ValidationException", "The messages field is required and must not be empty.");
      return;
    }
    if (converse.messages[0]?.role !== "user") {
      sendError(res, record, 400, "ValidationException", "A conversation must start with a user message.");
      return;
    }
    const tool = converse.toolConfig?.tools?.[0]?.toolSpec;
    if (tool !== undefined && operation === "converse") {
      const schema = restrictedJsonSchemaSchema.safeParse(tool.inputSchema?.json);
      if (!schema.success || !tool.name) {
        sendError(res, record, 400, "ValidationException", "The tool's inputSchema.json is not a valid JSON schema.");
        return;
      }
      const toolInput =
        options.toolReply?.({ modelId: record.modelId, body: converse }) ??
        localStructuredOutput(schema.data, lastUserText(converse));
      sendJson(res, 200, {
        output: {
          message: {
            role: "assistant",
            content: [{ toolUse: { toolUseId: `tooluse_${randomUUID()}`, name: tool.name, input: toolInput } }],
          },
        },
        stopReason: "tool_use",
        usage: {
          inputTokens: tokenCount(lastUserText(converse)),
          outputTokens: 20,
          totalTokens: tokenCount(lastUserText(converse)) + 20,
        },
        metrics: { latencyMs: 5 },
      });
      return;
    }
    const answer = reply({ modelId: record.modelId, body: converse });
    const inputText = [
      ...(converse.system ?? []).map((s) => s.text ?? ""),
      ...converse.messages.map((m) => m.content.map((c: { text?: string }) => c.text ?? "").join("")),
    ].join("\n");
    const usage = {
      inputTokens: tokenCount(inputText),
      outputTokens: tokenCount(answer.text),
      totalTokens: tokenCount(inputText) + tokenCount(answer.text),
    };
    const stopReason = answer.stopReason ?? "end_turn";
    if (operation === "converse") {
      sendJson(res, 200, {
        output: { message: { role: "assistant", content: [{ text: answer.text }] } },
        stopReason,
        usage,
        metrics: { latencyMs: 5 },
      });
      return;
    }

    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": randomUUID() });
    const delayMs = fault?.kind === "slow-stream" ? fault.delayMs : 0;
    const failAfter = fault?.kind === "mid-stream-exception" ? (fault.afterDeltas ?? 1) : undefined;
    const write = async (frame: Uint8Array): Promise<boolean> => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed || res.writableEnded || !openResponses.has(res)) return false;
      (res as ServerResponse).write(frame);
      return true;
    };
    if (!(await write(eventFrame("messageStart", { role: "assistant" })))) return;
    const deltas = chunkText(answer.text, deltaSize);
    for (const [i, text] of deltas.entries()) {
      if (failAfter !== undefined && i === failAfter && fault?.kind === "mid-stream-exception") {
        record.status = 200;
        await write(
          exceptionFrame(
            fault.exceptionType ?? "modelStreamErrorException",
            fault.message ?? "The model stream failed.",
          ),
        );
        res.end();
        return;
      }
      if (!(await write(eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text } })))) return;
    }
    if (!(await write(eventFrame("contentBlockStop", { contentBlockIndex: 0 })))) return;
    if (!(await write(eventFrame("messageStop", { stopReason })))) return;
    if (!(await write(eventFrame("metadata", { usage, metrics: { latencyMs: 5 } })))) return;
    res.end();
  };

  const onRequest = (req: Req, res: Res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" });
      }
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  };

  const server = options.protocol === "http1" ? createHttp1Server(onRequest) : createHttp2Server(onRequest);
  const sessions = new Set<{ destroy(): void }>();
  server.on("session", (session: { destroy(): void; on(e: string, f: () => void): void }) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stats,
    script(...added) {
      for (const fault of added) faults.push({ fault, remaining: fault.times ?? 1 });
    },
    hold() {
      gate?.open();
      gate = createGate();
      return gate;
    },
    reset() {
      gate?.open();
      faults.length = 0;
      requests.length = 0;
      stats.maxInFlight = stats.inFlight;
    },
    close() {
      gate?.open();
      for (const session of sessions) session.destroy();
      if ("closeAllConnections" in server) server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
