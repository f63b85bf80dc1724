import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult } from "@portflow/engine";
import { z } from "zod";
import { type FileValue, fileValueBytes, fileValueSchema } from "../file-value.ts";
import { checkFileSize } from "../ingest/check-file-size.ts";
import { DEFAULT_INGEST_LIMITS, type DocumentParser } from "../ingest/ingest-document.ts";
import { IngestError } from "../ingest/ingest-error.ts";
import { parsedDocumentText } from "../ingest/parsed-document-text.ts";
import { sharedDocumentParser } from "../ingest/shared-document-parser.ts";
import type { DocumentNodeOptions } from "../node-registry-options.ts";

const documentExtractorConfigSchema = z
  .object({
    /** Put between the files' texts in `text`. Default: a blank line. */
    separator: z.string().max(1_000).default("\n\n"),
  })
  .strict();

/** Config of the `document-extractor` node. */
export type DocumentExtractorConfig = z.output<typeof documentExtractorConfigSchema>;

/** Outputs of the `document-extractor` node. */
export interface DocumentExtractorOutputs extends Record<string, unknown> {
  /** Every file's text, in order, joined by `separator`. */
  readonly text: string;
  /** One text per file, in input order. */
  readonly texts: string[];
}

/** The `files` input is not a file or a list of files. */
export class InvalidFileInputError extends Error {
  override readonly name = "InvalidFileInputError";
  readonly code = "INVALID_INPUT";
}

const DEFAULT_MAX_FILES = 10;

/**
 * `document-extractor`: the text of a file or list of files (`sys.files` of a chat with
 * attachments, an `http-request`'s `files`, a start input of type `file`) through the upload
 * parsers — PDF, DOCX, Markdown, text, the type told from the content — under the upload limits,
 * in the memory-capped worker uploads use. A file that cannot be read fails the node with the
 * upload's error code (`TOO_LARGE`, `ENCRYPTED`, `NO_TEXT`, …) and the file's name.
 *
 * @example
 * { "id": "extract", "type": "document-extractor", "config": {},
 *   "variable_mappings": [{ "target_port": "files", "selector": ["sys", "files"] }] }
 */
export class DocumentExtractorNode extends BaseNodeV2<
  DocumentExtractorConfig,
  { files: unknown },
  DocumentExtractorOutputs
> {
  readonly type = "document-extractor";
  override readonly description = "Extracts the text of PDF, DOCX, Markdown and text files.";
  readonly configSchema = documentExtractorConfigSchema;
  readonly #parser: DocumentParser | undefined;
  readonly #limits: Required<NonNullable<DocumentNodeOptions["limits"]>>;
  readonly #filesSchema: z.ZodType<FileValue | FileValue[]>;
  readonly #settings: NonNullable<DocumentNodeOptions["limitSettings"]>;

  constructor(options: DocumentNodeOptions = {}) {
    super();
    this.#parser = options.parser;
    const { maxChunks: _, ...defaults } = DEFAULT_INGEST_LIMITS;
    this.#limits = { ...defaults, ...options.limits };
    this.#settings = options.limitSettings ?? {};
    const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.#filesSchema = z.union([
      fileValueSchema,
      z.array(fileValueSchema).max(maxFiles, `at most ${maxFiles} files per call`),
    ]);
  }

  ports(): NodePortSchema {
    return {
      inputs: [{ name: "files", type: "any", required: true, description: "a file, or an array of files" }],
      outputs: [
        { name: "text", type: "string", description: "every file's text, joined by `separator`" },
        { name: "texts", type: "array", description: "one text per file" },
      ],
    };
  }

  async run(
    inputs: { files: unknown },
    ctx: NodeContext<DocumentExtractorConfig>,
  ): Promise<NodeRunResult<DocumentExtractorOutputs>> {
    const checked = this.#filesSchema.safeParse(inputs.files);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const at = issue?.path.length ? `files.${issue.path.join(".")}` : "files";
      throw new InvalidFileInputError(
        `input ${at}: ${issue?.message ?? "is invalid"} (expected a file {filename, mime_type, size, data_base64} or an array of them)`,
      );
    }
    const files = Array.isArray(checked.data) ? checked.data : [checked.data];
    const parse = this.#parser ?? sharedDocumentParser();
    const texts: string[] = [];
    const pages: (number | null)[] = [];
    for (const file of files) {
      ctx.signal.throwIfAborted();
      try {
        checkFileSize(file.filename, file.size, this.#limits.maxBytes);
        const parsed = await parse(
          { filename: file.filename, bytes: fileValueBytes(file), mime: file.mime_type },
          {
            maxPages: this.#limits.maxPages,
            maxUncompressedBytes: this.#limits.maxUncompressedBytes,
            maxDocxXmlBytes: this.#limits.maxDocxXmlBytes,
            signal: ctx.signal,
          },
        );
        texts.push(parsedDocumentText(parsed));
        pages.push(parsed.pageCount ?? null);
      } catch (error) {
        throw this.#named(file.filename, error);
      }
    }
    return {
      outputs: { text: texts.join(ctx.config.separator), texts },
      processData: {
        files: files.map((file, i) => ({
          filename: file.filename,
          mime_type: file.mime_type,
          size: file.size,
          characters: texts[i]?.length ?? 0,
          ...(pages[i] != null && { pages: pages[i] }),
        })),
      },
    };
  }

  /** An IngestError that names the file (and the setting behind a limit); other errors as they are. */
  #named(filename: string, error: unknown): unknown {
    if (!(error instanceof IngestError)) return error;
    const prefix = error.message.startsWith(`${filename}: `) ? "" : `${filename}: `;
    const setting = error.limit === undefined ? undefined : this.#settings[error.limit.name];
    return new IngestError(error.code, `${prefix}${error.message}${setting === undefined ? "" : ` (${setting})`}`, {
      cause: error,
      ...(error.limit !== undefined && { limit: { ...error.limit, ...(setting !== undefined && { setting }) } }),
    });
  }
}
