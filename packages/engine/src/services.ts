/**
 * The service interfaces the engine declares and other packages implement.
 * Nodes reach them through the ServiceContainer, so storage and nodes never import each other.
 * @module
 */
import type { NodeRunRecord } from "./run-result.ts";
import type { NodeExecutionStatus, RunStatus } from "./run-status.ts";
import type { TokenUsage } from "./token-usage.ts";

export type { NodeExecutionStatus };

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** Turns texts into vectors (Titan v2, local hashing, ...). */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: readonly string[], options?: CallOptions): Promise<EmbeddingResult>;
}

export interface EmbeddingResult {
  /** One vector per input text, in input order. */
  readonly vectors: number[][];
  readonly inputTokens: number;
}

export interface ChatMessage {
  readonly role: "user" | "assistant";
  readonly content: string;
}

/**
 * Asks the model for one JSON value matching `schema` instead of free text (Bedrock: a forced
 * tool call; the local model: a deterministic extractor). The answer is in `ChatResponse.structured`.
 */
export interface StructuredOutputRequest {
  /** A tool-like name: letters, digits, `_` and `-`. */
  readonly name: string;
  readonly description?: string;
  /** A JSON Schema object (the subset `jsonSchemaToZod` in `@portflow/nodes` accepts). */
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface ChatRequest {
  readonly model?: string;
  /** When set, the model answers with JSON matching it (in `ChatResponse.structured`); no streaming. */
  readonly structured?: StructuredOutputRequest;
  readonly system?: string;
  readonly messages: readonly ChatMessage[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stopSequences?: readonly string[];
}

export type { TokenUsage };

export interface ChatResponse {
  readonly text: string;
  readonly usage: TokenUsage;
  /** Provider's reason, normalised: `end_turn`, `max_tokens`, `stop_sequence`, ... */
  readonly stopReason: string;
  readonly model: string;
  /** The JSON value the model gave for `ChatRequest.structured` (not yet validated: callers check it). */
  readonly structured?: unknown;
}

export interface ChatOptions extends CallOptions {
  /** When given, the model streams and calls this with each text delta in order. */
  readonly onText?: (delta: string) => void;
}

/** A chat model (Claude through Bedrock Converse, the offline extractive model, ...). */
export interface ChatModel {
  readonly model: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}

/** A chunk of a document with its embedding, as stored. */
export interface ChunkRecord {
  readonly documentId: string;
  readonly chunkIndex: number;
  readonly content: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly embedding: readonly number[];
}

/**
 * A chunk found by a search. `score` is that search's own measure: cosine similarity
 * (1 = same direction) from `search`, BM25 (higher is better, unbounded) from `keywordSearch`.
 */
export interface RetrievedChunk {
  readonly documentId: string;
  readonly chunkIndex: number;
  readonly content: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly score: number;
}

export interface VectorSearchOptions extends CallOptions {
  readonly topK: number;
  /** Drop results below this cosine similarity. */
  readonly scoreThreshold?: number;
  /** Exact-match filter on chunk metadata keys (JSON containment). */
  readonly filter?: Readonly<Record<string, unknown>>;
}

export interface KeywordSearchOptions extends CallOptions {
  readonly topK: number;
  /** Exact-match filter on chunk metadata keys (JSON containment), as for vector search. */
  readonly filter?: Readonly<Record<string, unknown>>;
}

/**
 * Chunk storage with two searches: similarity of embeddings and keywords (BM25 over
 * `keywordTokens` of each chunk's content, indexed on upsert). Every call is scoped to one bot.
 */
export interface VectorStore {
  upsert(botId: string, chunks: readonly ChunkRecord[], options?: CallOptions): Promise<void>;
  search(botId: string, embedding: readonly number[], options: VectorSearchOptions): Promise<RetrievedChunk[]>;
  /**
   * Chunks holding at least one of the query's keyword tokens, by BM25 (k1 1.2, b 0.75, over the
   * bot's chunks), best first; a query without tokens finds nothing.
   */
  keywordSearch(botId: string, query: string, options: KeywordSearchOptions): Promise<RetrievedChunk[]>;
  deleteDocument(botId: string, documentId: string, options?: CallOptions): Promise<number>;
}

export interface RerankRequest {
  /** The rerank model (Bedrock: `amazon.rerank-v1:0`, `cohere.rerank-v3-5:0` or a model ARN). */
  readonly model: string;
  readonly query: string;
  readonly documents: readonly string[];
  /** How many of the best documents to return. */
  readonly topN: number;
}

/** One reranked document: its index in `RerankRequest.documents` and the model's relevance. */
export interface RerankResult {
  readonly index: number;
  readonly relevanceScore: number;
}

/** Orders candidate texts by relevance to a query with a cross-encoder (Bedrock Rerank, ...). */
export interface Reranker {
  /** Results best first, at most `topN`. */
  rerank(request: RerankRequest, options?: CallOptions): Promise<RerankResult[]>;
}

/** What a recorder learns when a run starts. */
export interface RunStartRecord {
  readonly runId: string;
  readonly botId?: string;
  readonly workflowVersionId?: string;
  readonly trigger?: string;
  readonly sessionId?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly startedAt: Date;
}

/**
 * One node's execution, handed to the recorder as soon as the node finishes: the run's own
 * {@link NodeRunRecord} (the one record type of a node execution) with its run and dates.
 */
export interface NodeExecutionRecord extends Omit<NodeRunRecord, "startedAt" | "finishedAt"> {
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

export interface RunFinishRecord {
  readonly runId: string;
  readonly status: RunStatus;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly error?: { readonly message: string; readonly nodeId?: string };
  readonly totalSteps: number;
  readonly tokens: TokenUsage;
  readonly elapsedMs: number;
  readonly finishedAt: Date;
}

/**
 * Persists runs as they happen. The executor calls these in order and never waits on them
 * between nodes; it awaits the whole chain before `run()` resolves.
 */
export interface RunRecorder {
  runStarted(run: RunStartRecord): Promise<void>;
  nodeFinished(node: NodeExecutionRecord): Promise<void>;
  runFinished(run: RunFinishRecord): Promise<void>;
  /**
   * Optional: stores node records and (last, at most one) the run's finish together, all or none —
   * one statement on Postgres. The journal sends this way the writes that queue up while one is
   * in flight, so a run's last node rows and its outcome cost one round trip instead of one each.
   */
  writeMany?(writes: readonly RecorderWrite[]): Promise<void>;
}

/** A write {@link RunRecorder.writeMany} takes. */
export type RecorderWrite =
  | { readonly kind: "node"; readonly node: NodeExecutionRecord }
  | { readonly kind: "finish"; readonly run: RunFinishRecord };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
