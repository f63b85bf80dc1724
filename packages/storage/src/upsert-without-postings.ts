import type { ChunkRecord } from "@portflow/engine";
import { sql } from "kysely";
import { chunkKeywords, tsvectorLiteral } from "./chunk-keywords.ts";
import type { StorageDatabase } from "./open-database.ts";
import { compactVectorText } from "./pg-vector-store.ts";
import { toJsonb } from "./stored-json.ts";

/**
 * Stores chunks as `PgVectorStore.upsert` did before migration 0016 (chunk and keyword rows, no
 * `keyword_postings`), for tests of the migrations before it: the store of today writes postings,
 * which a schema that old has no table for. New chunks only (no replacement).
 */
export async function upsertWithoutPostings(
  database: StorageDatabase,
  botId: string,
  chunks: readonly ChunkRecord[],
): Promise<void> {
  for (const chunk of chunks) {
    const keywords = chunkKeywords(chunk.content);
    await sql`
      INSERT INTO document_embeddings (bot_id, document_id, chunk_index, content, metadata, embedding)
      VALUES (${botId}, ${chunk.documentId}, ${chunk.chunkIndex}, ${chunk.content},
              ${toJsonb(chunk.metadata ?? {})}::jsonb, ${compactVectorText(chunk.embedding)}::vector)`.execute(
      database.db,
    );
    await sql`
      INSERT INTO chunk_keywords (bot_id, document_id, chunk_index, keywords, token_count)
      VALUES (${botId}, ${chunk.documentId}, ${chunk.chunkIndex}, ${tsvectorLiteral(keywords)}::tsvector,
              ${keywords.tokenCount})`.execute(database.db);
  }
}
