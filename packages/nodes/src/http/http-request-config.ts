import { z } from "zod";
import { secretTemplateSchema } from "./secret-template.ts";

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, "must be a valid HTTP header name");

const formDataField = z
  .object({
    name: z.string().min(1).max(256),
    /** A text field (template). */
    value: secretTemplateSchema.optional(),
    /** A file field: the node's `file` input. */
    file: z.literal(true).optional(),
  })
  .strict()
  .refine((f) => (f.value === undefined) !== (f.file === undefined), {
    message: "a form-data field has either a value or file: true",
  });

/** The request body: its kind and data. */
export const httpBodySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }).strict(),
  /** `data` is any JSON; `{{…}}` templates are rendered inside its strings. */
  z.object({ type: z.literal("json"), data: z.unknown() }).strict(),
  z.object({ type: z.literal("form-data"), data: z.array(formDataField).max(100) }).strict(),
  z.object({ type: z.literal("x-www-form-urlencoded"), data: z.record(z.string(), secretTemplateSchema) }).strict(),
  z
    .object({ type: z.literal("raw-text"), data: secretTemplateSchema, content_type: z.string().min(1).optional() })
    .strict(),
  /** The node's `file` input, as is. */
  z.object({ type: z.literal("binary") }).strict(),
]);

export const httpAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }).strict(),
  z.object({ type: z.literal("bearer"), token: secretTemplateSchema }).strict(),
  z.object({ type: z.literal("basic"), username: secretTemplateSchema, password: secretTemplateSchema }).strict(),
  z.object({ type: z.literal("header"), name: headerName, value: secretTemplateSchema }).strict(),
]);

export const httpRequestConfigSchema = z
  .object({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).default("GET"),
    /** `{{port}}`, `{{sys.x}}`, `{{env.X}}`, `{{secret.NAME}}` templates; http or https only. */
    url: secretTemplateSchema,
    headers: z.record(headerName, secretTemplateSchema).default({}),
    /** Appended to the URL's query string. */
    query: z.record(z.string().min(1), secretTemplateSchema).default({}),
    body: httpBodySchema.default({ type: "none" }),
    auth: httpAuthSchema.default({ type: "none" }),
    timeouts: z
      .object({
        /** TCP (and TLS) connect, per hop. */
        connect_ms: z.number().int().min(1).max(600_000).default(10_000),
        /** Waiting for the response headers, and between body chunks. */
        read_ms: z.number().int().min(1).max(600_000).default(30_000),
        /** Sending the request body. */
        write_ms: z.number().int().min(1).max(600_000).default(30_000),
      })
      .strict()
      .default({ connect_ms: 10_000, read_ms: 30_000, write_ms: 30_000 }),
    /** Redirects followed (each re-checked against the SSRF rule); at most 5. */
    max_redirects: z.number().int().min(0).max(5).default(5),
    /** Lowers the server's response size cap for this node. */
    max_response_bytes: z.number().int().min(1).optional(),
    /** A 5xx or 429 answer fails the attempt (so the node's retry policy retries it). */
    fail_on_server_error: z.boolean().default(true),
  })
  .strict()
  .superRefine((config, ctx) => {
    if ((config.method === "GET" || config.method === "HEAD") && config.body.type !== "none") {
      ctx.addIssue({ code: "custom", path: ["body"], message: `a ${config.method} request has no body` });
    }
  });

/** Config of the `http-request` node. */
export type HttpRequestConfig = z.output<typeof httpRequestConfigSchema>;
