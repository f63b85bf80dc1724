import type { ColumnType, Generated } from "kysely";

/** A JSONB column: read as parsed JSON, written as a JSON string (see `toJsonb`). */
export type JsonColumn = ColumnType<unknown, string, string>;
/** A JSONB column that may be SQL NULL. */
export type NullableJsonColumn = ColumnType<unknown, string | null | undefined, string | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface BotsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  status: Generated<string>;
  use_workflow_v2: Generated<boolean>;
  legacy_workflow: NullableJsonColumn;
  settings: ColumnType<unknown, string | undefined, string>;
  published_version_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BotWorkflowVersionsTable {
  id: Generated<string>;
  bot_id: string;
  status: string;
  version_number: number | null;
  schema_version: number;
  graph: JsonColumn;
  checksum: string;
  notes: Generated<string>;
  problems: ColumnType<unknown, string | undefined, string>;
  revision: Generated<number>;
  restored_from_version_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  published_at: NullableTimestamp;
}

export interface WorkflowExecutionRunsTable {
  id: string;
  bot_id: string | null;
  workflow_version_id: string | null;
  status: string;
  trigger: string;
  inputs: JsonColumn;
  outputs: NullableJsonColumn;
  error: NullableJsonColumn;
  total_steps: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  elapsed_ms: number | null;
  session_id: string | null;
  truncated: Generated<boolean>;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  spec: NullableJsonColumn;
  resumed_from: ColumnType<string | null, string | null | undefined, string | null>;
  queued_at: NullableTimestamp;
  /** Values stored out of line in `run_values` (migration 0011): `{ outputs: { port: hash } }`. */
  value_refs: NullableJsonColumn;
}

export interface WorkflowNodeExecutionsTable {
  id: Generated<string>;
  run_id: string;
  bot_id: string | null;
  node_id: string;
  node_type: string;
  step_index: number;
  status: string;
  inputs: JsonColumn;
  outputs: JsonColumn;
  process_data: JsonColumn;
  error: NullableJsonColumn;
  attempts: number;
  input_tokens: number;
  output_tokens: number;
  elapsed_ms: number;
  truncated: Generated<boolean>;
  started_at: Timestamp;
  finished_at: Timestamp;
  parent_node_id: ColumnType<string | null, string | null | undefined, string | null>;
  iteration_index: ColumnType<number | null, number | null | undefined, number | null>;
  branch: ColumnType<string | null, string | null | undefined, string | null>;
  handled_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Values stored out of line in `run_values` (migration 0011): `{ inputs|outputs|process_data: { port: hash } }`. */
  value_refs: NullableJsonColumn;
}

/** One input/output value of a run, stored once per run whatever the number of nodes using it (0011). */
export interface RunValuesTable {
  run_id: string;
  /** base64url sha256 of the stored JSON text. */
  hash: string;
  value: JsonColumn;
  /** UTF-8 bytes of the stored JSON text. */
  bytes: number;
}

export interface DocumentsTable {
  id: Generated<string>;
  bot_id: string;
  filename: string;
  mime_type: string;
  sha256: string;
  bytes: ColumnType<number | string, number, number>;
  status: Generated<string>;
  chunk_count: Generated<number>;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DocumentEmbeddingsTable {
  bot_id: string;
  document_id: string;
  chunk_index: number;
  content: string;
  metadata: JsonColumn;
  /** pgvector `vector(D)`: read as number[] (parser registered by openDatabase), written as text `[1,2,3]`. */
  embedding: ColumnType<number[] | string, string, string>;
  created_at: Timestamp;
}

/** The keyword index: one row per chunk (see migration 0009). */
export interface ChunkKeywordsTable {
  bot_id: string;
  document_id: string;
  chunk_index: number;
  /** `tsvector` of the chunk's keyword tokens (term frequency = positions). */
  keywords: string;
  token_count: number;
}

export interface ApiKeysTable {
  id: Generated<string>;
  key_hash: string;
  prefix: string;
  name: string;
  bot_id: string | null;
  scope: "admin" | "bot" | "chat";
  source: ColumnType<"created" | "env", "created" | "env" | undefined, "created" | "env">;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface ConversationVariablesTable {
  bot_id: string;
  session_id: string;
  name: string;
  value: JsonColumn;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BotSecretsTable {
  bot_id: string;
  name: string;
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Per bot, UTC hour of `started_at` and status: kept by triggers (migration 0012). */
export interface RunStatisticsHourlyTable {
  bot_id: string;
  hour: Timestamp;
  status: string;
  /** Which of the group's rows (migration 0017): a hash of the counted run's id. */
  shard: number;
  runs: number;
  input_tokens: ColumnType<string, number | string, number | string>;
  output_tokens: ColumnType<string, number | string, number | string>;
  waited_runs: number;
  wait_us: ColumnType<string, number | string, number | string>;
}

/** Per bot, UTC day of `finished_at`, node type and latency bucket: kept by triggers (migration 0012). */
export interface NodeStatisticsDailyTable {
  bot_id: string;
  day: Timestamp;
  node_type: string;
  latency_bucket: number;
  /** Which of the group's rows (migration 0017): a hash of the counted execution's id. */
  shard: number;
  executions: number;
  failures: number;
}

/** What measuring a bot's HNSW index found (migration 0020; `HnswCalibration`). */
export interface HnswCalibrationsTable {
  bot_id: string;
  search: "index" | "exact";
  ef_search: number;
  recall: number;
  exact_p50_ms: number;
  rungs: JsonColumn;
  queries: number;
  chunks: number;
  measured_at: Timestamp;
}

/** The tables the migrations create, as Kysely sees them. */
export interface Database {
  conversation_variables: ConversationVariablesTable;
  bot_secrets: BotSecretsTable;
  bots: BotsTable;
  bot_workflow_versions: BotWorkflowVersionsTable;
  workflow_execution_runs: WorkflowExecutionRunsTable;
  workflow_node_executions: WorkflowNodeExecutionsTable;
  run_values: RunValuesTable;
  run_statistics_hourly: RunStatisticsHourlyTable;
  node_statistics_daily: NodeStatisticsDailyTable;
  documents: DocumentsTable;
  document_embeddings: DocumentEmbeddingsTable;
  chunk_keywords: ChunkKeywordsTable;
  hnsw_calibrations: HnswCalibrationsTable;
  api_keys: ApiKeysTable;
}
