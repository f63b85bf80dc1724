import { Readable } from "node:stream";
import {
  BaseNodeV2,
  type NodeContext,
  type NodePortSchema,
  type NodeRunResult,
  templateUsesIn,
} from "@portflow/engine";
import { Agent, request, errors as undiciErrors } from "undici";
import { type FileValue, fileValueBytes, fileValueSchema, toFileValue } from "../file-value.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpNodeOptions } from "../node-registry-options.ts";
import { MissingSecretError, SecretResolverService } from "../secret-resolver.ts";
import { DestinationGuard, portOf } from "./destination-guard.ts";
import { HttpAllowList } from "./http-allow-list.ts";
import { type HttpRequestConfig, httpRequestConfigSchema } from "./http-request-config.ts";
import { bodyKindOf, readCappedBody, responseFilename } from "./http-response-body.ts";
import {
  maskSecrets,
  maskSecretsDeep,
  type RenderedField,
  referencedSecrets,
  renderSecretTemplate,
  type SecretTemplate,
} from "./secret-template.ts";

/** Outputs of the `http-request` node. */
export interface HttpRequestOutputs extends Record<string, unknown> {
  readonly status_code: number;
  /** Response headers, lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  /** The body as text (empty for a binary response). */
  readonly body: string;
  /** The parsed body when the response is JSON, else null. */
  readonly json: unknown;
  /** A binary response as one file; empty otherwise. */
  readonly files: FileValue[];
}

/** The request failed: network, timeout, refused destination, too large, or a 5xx/429 answer. */
export class HttpRequestError extends Error {
  override readonly name = "HttpRequestError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, so credentials never follow it elsewhere. */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

interface PreparedRequest {
  readonly url: URL;
  readonly shownUrl: string;
  readonly headers: Record<string, string>;
  readonly shownHeaders: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly credentialHeaders: ReadonlySet<string>;
}

/**
 * `http-request`: calls an HTTP(S) API with a templated URL, headers, query, body and auth, under
 * the SSRF rule (see {@link DestinationGuard}), a response size cap, connect/read/write timeouts
 * and manual redirects (at most 5, each re-checked). Bot secrets (`{{secret.NAME}}`,
 * `["secret", NAME]`) are resolved at run time and appear as `***` in process data, errors and
 * outputs. A network failure, timeout or 5xx/429 answer fails the attempt, so `retry` applies.
 *
 * @example
 * { "id": "weather", "type": "http-request",
 *   "config": { "method": "GET", "url": "https://api.example.com/weather",
 *               "query": { "city": "{{city}}" }, "auth": { "type": "bearer", "token": ["secret", "WEATHER_KEY"] } },
 *   "retry": { "max_attempts": 3, "initial_delay_ms": 500 },
 *   "variable_mappings": [{ "target_port": "city", "selector": ["start", "city"] }] }
 */
export class HttpRequestNode extends BaseNodeV2<HttpRequestConfig, Record<string, unknown>, HttpRequestOutputs> {
  readonly type = "http-request";
  override readonly description = "Calls an HTTP API (SSRF-guarded) and returns its status, headers and body.";
  readonly configSchema = httpRequestConfigSchema;
  readonly #guard: DestinationGuard;
  readonly #maxResponseBytes: number;

  constructor(options: HttpNodeOptions = {}) {
    super();
    this.#guard = new DestinationGuard(HttpAllowList.parse(options.allow));
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  ports(config?: HttpRequestConfig): NodePortSchema {
    return {
      inputs: [
        { name: "file", type: "file", required: false, description: "The file a binary or form-data body sends." },
      ],
      outputs: [
        { name: "status_code", type: "number" },
        { name: "headers", type: "object" },
        { name: "body", type: "string" },
        { name: "json", type: "any", description: "The parsed body when the response is JSON, else null." },
        { name: "files", type: "array", description: "A binary response: [{filename, mime_type, size, data_base64}]." },
      ],
      dynamicInputs: true,
      templates: config
        ? templateUsesIn({
            url: config.url,
            headers: config.headers,
            query: config.query,
            body: config.body,
            auth: config.auth,
          })
        : [],
    };
  }

  async run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<HttpRequestConfig>,
  ): Promise<NodeRunResult<HttpRequestOutputs>> {
    const secrets = await resolveSecrets(ctx);
    const secretValues = Object.values(secrets);
    const mask = (text: string) => maskSecrets(text, secretValues);
    try {
      return await this.#run(inputs, ctx, secrets, mask, secretValues);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const code =
        typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "HTTP_ERROR";
      throw new HttpRequestError(`http-request node "${ctx.nodeId}": ${mask(message)}`, code);
    }
  }

  async #run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<HttpRequestConfig>,
    secrets: Readonly<Record<string, string>>,
    mask: (text: string) => string,
    secretValues: readonly string[],
  ): Promise<NodeRunResult<HttpRequestOutputs>> {
    const config = ctx.config;
    const prepared = await prepareRequest(config, inputs, ctx, secrets);
    const limit = Math.min(config.max_response_bytes ?? this.#maxResponseBytes, this.#maxResponseBytes);
    const started = performance.now();
    let url = prepared.url;
    let method: string = config.method;
    let headers = { ...prepared.headers };
    let body = prepared.body;
    const hops: string[] = [];
    for (let redirects = 0; ; redirects++) {
      this.#guard.checkUrl(url);
      const response = await send(this.#guard, url, method, headers, body, config.timeouts, ctx.signal);
      try {
        const location = response.headers.location;
        if (REDIRECTS.has(response.statusCode) && typeof location === "string") {
          if (redirects >= config.max_redirects) {
            throw new HttpRequestError(
              `too many redirects (more than ${config.max_redirects}, max_redirects)`,
              "TOO_MANY_REDIRECTS",
            );
          }
          const next = new URL(location, url);
          hops.push(`${response.statusCode} ${mask(next.toString())}`);
          if (
            response.statusCode === 303 ||
            ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")
          ) {
            if (method !== "HEAD") method = "GET";
            body = undefined;
            headers = withoutHeaders(headers, new Set(["content-type", "content-length"]));
          }
          if (next.origin !== url.origin) {
            headers = withoutHeaders(headers, new Set([...CREDENTIAL_HEADERS, ...prepared.credentialHeaders]));
          }
          url = next;
          continue;
        }
        const bytes = await readCappedBody(response.body, limit, contentLength(response.headers["content-length"]));
        const status = response.statusCode;
        const processData = {
          method,
          url: prepared.shownUrl,
          request_headers: prepared.shownHeaders,
          ...(hops.length > 0 ? { redirects: hops } : {}),
          status_code: status,
          response_bytes: bytes.byteLength,
          elapsed_ms: Math.round(performance.now() - started),
        };
        if (config.fail_on_server_error && (status >= 500 || status === 429)) {
          const excerpt = mask(bytes.subarray(0, 200).toString("utf8"));
          throw new HttpRequestError(`the server answered ${status}${excerpt ? `: ${excerpt}` : ""}`, `HTTP_${status}`);
        }
        const mimeType = headerText(response.headers["content-type"])?.split(";")[0]?.trim().toLowerCase();
        const kind = bodyKindOf(mimeType, bytes);
        const text = kind === "binary" ? "" : mask(bytes.toString("utf8"));
        let json: unknown = null;
        if (kind === "json" && text.trim() !== "") {
          try {
            json = maskSecretsDeep(JSON.parse(bytes.toString("utf8")), secretValues);
          } catch {
            json = null;
          }
        }
        const files =
          kind === "binary"
            ? [
                toFileValue(
                  responseFilename(headerText(response.headers["content-disposition"]), url),
                  mimeType || "application/octet-stream",
                  bytes,
                ),
              ]
            : [];
        return {
          outputs: { status_code: status, headers: responseHeaders(response.headers, mask), body: text, json, files },
          processData: { ...processData, body_kind: kind },
        };
      } finally {
        // an unread body (a redirect, a refused answer) is discarded; its abort is expected
        response.body.on("error", () => {});
        response.body.destroy();
        void response.agent.destroy().catch(() => {});
      }
    }
  }
}

async function resolveSecrets(ctx: NodeContext<HttpRequestConfig>): Promise<Readonly<Record<string, string>>> {
  const names = [...referencedSecrets(ctx.config)].sort();
  if (names.length === 0) return {};
  const resolver = ctx.services.tryResolve(SecretResolverService);
  const values = resolver ? await resolver.resolve(names, { signal: ctx.signal }) : {};
  const missing = names.filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new MissingSecretError(ctx.nodeId, missing);
  return values;
}

async function prepareRequest(
  config: HttpRequestConfig,
  inputs: Record<string, unknown>,
  ctx: NodeContext<HttpRequestConfig>,
  secrets: Readonly<Record<string, string>>,
): Promise<PreparedRequest> {
  const field = (template: SecretTemplate): RenderedField =>
    renderSecretTemplate(template, (t) => ctx.render(t, inputs), secrets);
  const renderedUrl = field(config.url);
  let url: URL;
  try {
    url = new URL(renderedUrl.value.trim());
  } catch {
    throw new HttpRequestError(`url ${JSON.stringify(renderedUrl.shown)} is not a valid absolute URL`, "INVALID_URL");
  }
  const shownQuery: string[] = [];
  for (const [name, template] of Object.entries(config.query)) {
    const rendered = field(template);
    url.searchParams.append(name, rendered.value);
    shownQuery.push(`${encodeURIComponent(name)}=${encodeURIComponent(rendered.shown)}`);
  }
  const shownBase = renderedUrl.shown.trim();
  const shownUrl =
    shownQuery.length === 0 ? shownBase : `${shownBase}${shownBase.includes("?") ? "&" : "?"}${shownQuery.join("&")}`;
  const headers: Record<string, string> = {};
  const shownHeaders: Record<string, string> = {};
  const setHeader = (name: string, rendered: RenderedField) => {
    if (/[\r\n\0]/.test(rendered.value)) {
      throw new HttpRequestError(`header "${name}" must not contain line breaks`, "INVALID_HEADER");
    }
    headers[name.toLowerCase()] = rendered.value;
    shownHeaders[name.toLowerCase()] = rendered.shown;
  };
  for (const [name, template] of Object.entries(config.headers)) setHeader(name, field(template));
  const credentialHeaders = new Set<string>();
  const auth = config.auth;
  if (auth.type === "bearer") {
    const token = field(auth.token);
    setHeader("authorization", { value: `Bearer ${token.value}`, shown: `Bearer ${token.shown}` });
  } else if (auth.type === "basic") {
    const user = field(auth.username);
    const password = field(auth.password);
    const encoded = Buffer.from(`${user.value}:${password.value}`).toString("base64");
    setHeader("authorization", { value: `Basic ${encoded}`, shown: `Basic <${user.shown}:${password.shown}>` });
  } else if (auth.type === "header") {
    setHeader(auth.name, field(auth.value));
    credentialHeaders.add(auth.name.toLowerCase());
  }
  const body = await encodeBody(config, inputs, field, ctx.nodeId);
  if (body && headers["content-type"] === undefined) {
    headers["content-type"] = body.contentType;
    shownHeaders["content-type"] = body.contentType;
  }
  return {
    url,
    shownUrl,
    headers,
    shownHeaders,
    body: body?.bytes,
    credentialHeaders,
  };
}

async function encodeBody(
  config: HttpRequestConfig,
  inputs: Record<string, unknown>,
  field: (template: SecretTemplate) => RenderedField,
  nodeId: string,
): Promise<{ bytes: Buffer; contentType: string } | undefined> {
  const body = config.body;
  switch (body.type) {
    case "none":
      return undefined;
    case "json":
      return {
        bytes: Buffer.from(JSON.stringify(renderDeep(body.data, field))),
        contentType: "application/json",
      };
    case "x-www-form-urlencoded": {
      const params = new URLSearchParams();
      for (const [name, template] of Object.entries(body.data)) params.append(name, field(template).value);
      return { bytes: Buffer.from(params.toString()), contentType: "application/x-www-form-urlencoded" };
    }
    case "raw-text":
      return {
        bytes: Buffer.from(field(body.data).value),
        contentType: body.content_type ?? "text/plain; charset=utf-8",
      };
    case "binary": {
      const file = fileInput(inputs, nodeId);
      return { bytes: fileValueBytes(file), contentType: file.mime_type };
    }
    case "form-data": {
      const form = new FormData();
      for (const entry of body.data) {
        if (entry.file) {
          const file = fileInput(inputs, nodeId);
          form.append(entry.name, new Blob([fileValueBytes(file)], { type: file.mime_type }), file.filename);
        } else if (entry.value !== undefined) form.append(entry.name, field(entry.value).value);
      }
      // serialised here so the bytes and the boundary are known before sending
      const encoded = new Response(form);
      return {
        bytes: Buffer.from(await encoded.arrayBuffer()),
        contentType: encoded.headers.get("content-type") ?? "multipart/form-data",
      };
    }
  }
}

function fileInput(inputs: Record<string, unknown>, nodeId: string): FileValue {
  const parsed = fileValueSchema.safeParse(inputs.file);
  if (!parsed.success) {
    throw new HttpRequestError(
      `input "file" must be a file {filename, mime_type, size, data_base64}: ${parsed.error.issues[0]?.message ?? "missing"} (node "${nodeId}")`,
      "INVALID_FILE",
    );
  }
  return parsed.data;
}

function renderDeep(value: unknown, field: (template: SecretTemplate) => RenderedField): unknown {
  if (typeof value === "string") return field(value).value;
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, field));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, field)]));
  }
  return value;
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

interface SentResponse {
  readonly statusCode: number;
  readonly headers: ResponseHeaders;
  readonly body: Readable;
  readonly agent: Agent;
}

/** One hop, on its own agent whose socket lookup enforces the SSRF rule for this port. */
async function send(
  guard: DestinationGuard,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeouts: HttpRequestConfig["timeouts"],
  signal: AbortSignal,
): Promise<SentResponse> {
  const agent = new Agent({
    connect: { timeout: timeouts.connect_ms, lookup: guard.lookupFor(portOf(url)) },
    headersTimeout: timeouts.read_ms,
    bodyTimeout: timeouts.read_ms,
  });
  const write = new AbortController();
  let writeTimer: NodeJS.Timeout | undefined;
  let stream: Readable | undefined;
  if (body !== undefined) {
    // in slices, so the stream ends only when the socket has taken (nearly) all of it
    stream = Readable.from(slices(body), { objectMode: false, highWaterMark: SLICE_BYTES });
    writeTimer = setTimeout(
      () =>
        write.abort(
          new HttpRequestError(
            `sending the request body timed out after ${timeouts.write_ms} ms (timeouts.write_ms)`,
            "WRITE_TIMEOUT",
          ),
        ),
      timeouts.write_ms,
    );
    stream.once("end", () => clearTimeout(writeTimer));
  }
  try {
    const response = await request(url, {
      method: method as "GET",
      headers: body !== undefined ? { ...headers, "content-length": String(body.byteLength) } : headers,
      ...(stream !== undefined ? { body: stream } : {}),
      signal: AbortSignal.any([signal, write.signal]),
      dispatcher: agent,
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body, agent };
  } catch (error) {
    void agent.destroy().catch(() => {});
    if (write.signal.aborted && !signal.aborted) throw write.signal.reason;
    throw describeNetworkError(error, timeouts);
  } finally {
    clearTimeout(writeTimer);
  }
}

const SLICE_BYTES = 64 * 1024;

function* slices(body: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < body.byteLength; offset += SLICE_BYTES)
    yield body.subarray(offset, offset + SLICE_BYTES);
}

function describeNetworkError(error: unknown, timeouts: HttpRequestConfig["timeouts"]): unknown {
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new HttpRequestError(
      `connecting timed out after ${timeouts.connect_ms} ms (timeouts.connect_ms)`,
      "CONNECT_TIMEOUT",
    );
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new HttpRequestError(
      `waiting for the response timed out after ${timeouts.read_ms} ms (timeouts.read_ms)`,
      "READ_TIMEOUT",
    );
  }
  return error;
}

function withoutHeaders(headers: Record<string, string>, names: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name)));
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function contentLength(value: string | string[] | undefined): number | undefined {
  const text = headerText(value);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

function responseHeaders(headers: ResponseHeaders, mask: (text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = headerText(value);
    if (text !== undefined) out[name.toLowerCase()] = mask(text);
  }
  return out;
}
