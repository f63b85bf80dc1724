import type { StoredDocument } from "@portflow/storage";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { errorResponses } from "../error-schema.ts";
import { watchFileDisposition } from "../file-disposition-watcher.ts";
import { identifier } from "../identifier-schema.ts";
import { strictObject } from "../strict-object.ts";
import { uploadBytes } from "../upload-bytes.ts";
import { uploadFilename } from "../upload-filename.ts";
import { uploadMimeType } from "../upload-type.ts";
import { findBot } from "./bot-routes.ts";

const documentSchema = z
  .object({
    id: z.string(),
    bot_id: z.string(),
    filename: z.string(),
    mime_type: z.string(),
    sha256: z.string(),
    bytes: z.number(),
    status: z.enum(["pending", "processing", "ready", "failed"]),
    chunk_count: z.number(),
    error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Document" });

function toDocumentResponse(d: StoredDocument): z.output<typeof documentSchema> {
  return {
    id: d.id,
    bot_id: d.botId,
    filename: d.filename,
    mime_type: d.mimeType,
    sha256: d.sha256,
    bytes: d.bytes,
    status: d.status,
    chunk_count: d.chunkCount,
    error: d.error,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}

const paramsSchema = z.object({ bot_id: identifier() });

const uploadResponseSchema = documentSchema
  .extend({
    duplicate: z.boolean().describe("the same content was uploaded before: nothing changed"),
    message: z.string(),
  })
  .meta({ id: "UploadedDocument" });

/** Document upload (multipart, ingested at once), list and delete. */
export function documentRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  /** Reads the one multipart file, checks its name, type and size, and ingests it for the bot. */
  async function upload(request: FastifyRequest, reply: FastifyReply, botId: string) {
    const bot = await findBot(ctx, principalOf(request), botId);
    if (!request.isMultipart()) {
      throw new AppError(415, "unsupported_media_type", "send the file as multipart/form-data (field `file`)");
    }
    const watcher = watchFileDisposition(request.raw, request.headers["content-type"]);
    const file = await request.file().finally(() => watcher.stop());
    if (file === undefined) throw new AppError(400, "bad_request", "no file in the upload (field `file`)");
    let filename: string;
    try {
      filename = uploadFilename(file.filename, watcher.disposition(file.fieldname));
    } catch (error) {
      file.file.resume(); // drain the stream
      throw error;
    }
    const mimeType = uploadMimeType(filename, file.mimetype);
    if (mimeType === undefined) {
      file.file.resume(); // drain the stream
      throw new AppError(
        415,
        "unsupported_media_type",
        `"${filename}" is not a supported type: upload PDF, DOCX, HTML, Markdown or plain text`,
      );
    }
    const bytes = await uploadBytes(file, filename, ctx.config.maxUploadBytes);
    const controller = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) controller.abort(new Error("client disconnected"));
    });
    const result = await ctx.ingestion.ingest({
      botId: bot.id,
      filename,
      mimeType,
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      signal: controller.signal,
    });
    return reply
      .status(result.duplicate ? 200 : 201)
      .send({ ...toDocumentResponse(result.document), duplicate: result.duplicate, message: result.message });
  }

  return async (app) => {
    const uploadSchema = {
      tags: ["documents"],
      summary: "Upload a document (multipart field `file`: PDF, DOCX, HTML, Markdown or text) and ingest it",
      description:
        `Files over the upload limit (${ctx.config.maxUploadBytes} bytes) and DOCX files that decompress past ` +
        "the archive limits answer 413; other types 415; documents that cannot be read, or need more memory or " +
        "time to parse than allowed, 422. HTML is converted to Markdown (tags dropped, headings kept). " +
        "The file name is RFC 6266's `filename*` when given, else `filename`. " +
        "201 with the new document; 200 when the same content was uploaded before.",
      consumes: ["multipart/form-data"],
      response: {
        200: uploadResponseSchema,
        201: uploadResponseSchema,
        ...errorResponses(400, 401, 404, 413, 415, 422, 429),
      },
    } as const;

    app.post(
      "/bots/:bot_id/documents",
      { schema: { ...uploadSchema, operationId: "uploadDocument", params: paramsSchema } },
      async (request, reply) => upload(request, reply, request.params.bot_id),
    );

    app.post(
      "/documents/upload",
      {
        schema: {
          ...uploadSchema,
          operationId: "uploadDocumentDeprecated",
          summary: "Deprecated: use POST /api/v1/bots/{bot_id}/documents (same body and answers)",
          deprecated: true,
          querystring: strictObject({ bot_id: identifier() }),
        },
      },
      async (request, reply) => upload(request, reply, request.query.bot_id),
    );

    app.get(
      "/bots/:bot_id/documents",
      {
        schema: {
          operationId: "listDocuments",
          tags: ["documents"],
          params: paramsSchema,
          summary: "Documents of a bot, newest first, with a cursor (as workflow executions page)",
          querystring: strictObject({
            limit: z.coerce.number().int().min(1).max(500).default(50),
            cursor: z
              .string()
              .min(1)
              .max(500)
              .optional()
              .describe("next_cursor of the previous page, unchanged (anything else answers 400 invalid_cursor)"),
          }),
          response: {
            200: z.object({
              items: z.array(documentSchema),
              next_cursor: z.string().nullable(),
              total: z.number().describe("all documents of the bot"),
            }),
            ...errorResponses(400, 401, 404, 429),
          },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const { limit, cursor } = request.query;
        const page = await ctx.storage.documents.list(bot.id, { limit, ...(cursor !== undefined && { cursor }) });
        return { items: page.items.map(toDocumentResponse), next_cursor: page.nextCursor, total: page.total };
      },
    );

    app.delete(
      "/bots/:bot_id/documents/:document_id",
      {
        schema: {
          operationId: "deleteDocument",
          tags: ["documents"],
          summary: "Delete a document and its chunks",
          params: paramsSchema.extend({ document_id: identifier() }),
          response: { 204: z.undefined(), ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        if (!(await ctx.storage.documents.delete(bot.id, request.params.document_id))) {
          throw AppError.notFound("document");
        }
        return reply.status(204).send();
      },
    );
  };
}
