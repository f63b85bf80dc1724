/**
 * Builds the Fastify app from injected dependencies, so tests (and embedders) can point it at
 * their own database, Redis and providers.
 * @module
 */
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { type NodeRegistryV2, type ServiceContainer, WorkflowExecutorV2 } from "@portflow/engine";
import type { Storage } from "@portflow/storage";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Redis } from "ioredis";
import { type ApiKeyVerifier, registerApiKeyAuth, storedApiKeys } from "./api-key-auth.ts";
import type { AppConfig, AppContext, DocumentIngestion } from "./app-context.ts";
import { AppError } from "./app-error.ts";
import { registerConsole } from "./console-static.ts";
import { installErrorHandling, toErrorResponse } from "./error-handler.ts";
import { installJsonBodyParser } from "./json-body-parser.ts";
import { MemoryRunEventLog } from "./memory-run-event-log.ts";
import { finishOpenApiDocument } from "./openapi-document.ts";
import { OutageLog } from "./outage-log.ts";
import { authFailureGuard, registerRateLimits } from "./rate-limits.ts";
import { botRoutes } from "./routes/bot-routes.ts";
import { chatRoutes } from "./routes/chat-routes.ts";
import { debugNodeRoutes } from "./routes/debug-node-routes.ts";
import { documentRoutes } from "./routes/document-routes.ts";
import { healthRoutes } from "./routes/health-routes.ts";
import { keyRoutes } from "./routes/key-routes.ts";
import { nodeTypeRoutes } from "./routes/node-type-routes.ts";
import { runControlRoutes } from "./routes/run-control-routes.ts";
import { schemaRoutes } from "./routes/schema-routes.ts";
import { secretRoutes } from "./routes/secret-routes.ts";
import { sessionRoutes } from "./routes/session-routes.ts";
import { statisticsRoutes } from "./routes/statistics-routes.ts";
import { vectorIndexRoutes } from "./routes/vector-index-routes.ts";
import { workflowExecutionRoutes } from "./routes/workflow-execution-routes.ts";
import { workflowVersionRoutes } from "./routes/workflow-version-routes.ts";
import type { RunEventLog } from "./run-event-log.ts";
import { type RunDispatcher, RunService } from "./run-service.ts";
import { RunTracker } from "./run-tracker.ts";
import { docsCspOptions, registerSecurityHeaders } from "./security-headers.ts";
import { MemorySessionStore, RedisSessionStore, type SessionStore } from "./session-store.ts";
import { fastifyTrustProxy } from "./trust-proxy-option.ts";
import { WorkflowRunner } from "./workflow-runner.ts";

export interface AppDeps {
  readonly config: AppConfig;
  readonly storage: Storage;
  /** Node types, e.g. `createNodeRegistry()` from `@portflow/nodes`. */
  readonly registry: NodeRegistryV2;
  /** Services every run resolves: ChatModel, Embedder, VectorStore, RunRecorder (and Logger, Clock). */
  readonly services: ServiceContainer;
  /** Document parsing, chunking and embedding for uploads. */
  readonly ingestion: DocumentIngestion;
  /** Resolves when the database answers (for `/health`); default: read one bot. */
  readonly pingDatabase?: () => Promise<void>;
  /** Rate limits and sessions go through it when given; otherwise they stay in this process. */
  readonly redis?: Redis;
  /** Defaults to the storage's API keys. */
  readonly apiKeys?: ApiKeyVerifier;
  /** A pino logger for requests and server events. Default: silent. */
  readonly logger?: FastifyBaseLogger;
  /** Logs a database outage once (default: one on the app's logger). */
  readonly databaseOutage?: OutageLog;
  /** Logs a Redis outage once (default: one on the app's logger, told of reconnects by `redis`). */
  readonly redisOutage?: OutageLog;
  /** The built web console served at `/console/` (default: `packages/console/dist` of this workspace). */
  readonly consoleDir?: string;
  /** Where run events are logged and replayed from (default: in this process). */
  readonly runEvents?: RunEventLog;
  /** Where submitted runs execute (default: in this process); queue mode hands them to workers. */
  readonly runDispatcher?: RunDispatcher;
}

/** The app, plus what shutdown needs. */
export type PortflowApp = FastifyInstance & {
  readonly runs: RunTracker;
  /**
   * Graceful shutdown: answers new requests 503, gives in-flight runs `shutdownGraceMs` to
   * finish, cancels the rest (they get `CANCEL_WIND_DOWN_MS` to record it), then closes the app.
   * Resolves within grace + wind-down + Fastify's close. (`close()` alone cancels runs at once.)
   */
  shutdown(): Promise<void>;
};

/**
 * Builds the HTTP app (not listening). `app.shutdown()` drains in-flight runs: they get
 * `config.shutdownGraceMs` to finish, then are cancelled (and recorded `cancelled`).
 *
 * @example
 * const app = await buildApp({ config, storage, registry, services, ingestion });
 * const res = await app.inject({ method: "GET", url: "/health" });
 */
/** The upload routes' multipart body, for the OpenAPI document. */
const MULTIPART_UPLOAD_BODY = {
  type: "object",
  required: ["file"],
  properties: { file: { type: "string", format: "binary", description: "PDF, DOCX, HTML, Markdown or text" } },
};

export async function buildApp(deps: AppDeps): Promise<PortflowApp> {
  const app = Fastify({
    ...(deps.logger !== undefined ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 2 * 1024 * 1024, // a 413 names it (error-handler.ts)
    // The first request of a closing server answers 503 instead of hanging.
    return503OnClosing: true,
    // request.ip (rate limits, failed-auth budget, logs) comes from X-Forwarded-For only from trusted proxies
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const log = app.log;
  const databaseOutage =
    deps.databaseOutage ?? new OutageLog(log, "database", "requests that need it answer 503 database_unavailable");
  const redisOutage =
    deps.redisOutage ??
    (deps.redis === undefined
      ? undefined
      : new OutageLog(log, "redis", "rate limits are skipped and chats answer without their stored history"));
  if (deps.redisOutage === undefined) deps.redis?.on("ready", () => redisOutage?.up());
  installErrorHandling(app, { databaseOutage });
  installJsonBodyParser(app);

  const tracker = new RunTracker();
  const executor = new WorkflowExecutorV2(deps.registry, { services: deps.services });
  const runner = new WorkflowRunner(executor, tracker, (botId) => ({
    resolve: (names, options) => deps.storage.botSecrets.resolve(botId, names, options),
  }));
  const runEvents = deps.runEvents ?? new MemoryRunEventLog();
  const runService = new RunService(runner, deps.storage, { events: runEvents });
  if (deps.runDispatcher !== undefined) runService.useDispatcher(deps.runDispatcher);
  const sessions: SessionStore =
    deps.redis !== undefined
      ? new RedisSessionStore(deps.redis, deps.config.session)
      : new MemorySessionStore(deps.config.session);
  const ctx: AppContext = {
    config: deps.config,
    storage: deps.storage,
    registry: deps.registry,
    runner,
    runService,
    runEvents,
    sessions,
    redis: deps.redis,
    ingestion: deps.ingestion,
    redisOutage,
    pingDatabase:
      deps.pingDatabase ??
      (async () => {
        await deps.storage.bots.list({ limit: 1 });
      }),
  };
  const drain = async (graceMs: number) => {
    const cancelled = await tracker.drain(graceMs);
    if (cancelled > 0) app.log.warn({ cancelled }, "cancelled in-flight runs on shutdown");
  };
  app.decorate("runs", tracker);
  app.decorate("shutdown", async () => {
    // Drained here, not in a close hook: Fastify bounds those by its plugin timeout.
    await drain(deps.config.shutdownGraceMs);
    await app.close();
  });
  app.decorateRequest("principal", null);
  // While draining the listener stays open for the runs' streams; new requests are refused.
  app.addHook("onRequest", async (_request, reply) => {
    if (!tracker.draining) return;
    const { status, body } = toErrorResponse(new AppError(503, "service_unavailable", "the server is shutting down"));
    // not through the route's response schema (GET /health has its own 503 shape)
    return reply.status(status).header("connection", "close").serializer(JSON.stringify).send(body);
  });
  // close() without shutdown(): cancel what still runs at once (bounded by the wind-down).
  app.addHook("preClose", () => drain(0));

  await registerSecurityHeaders(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Portflow API",
        description: "Workflow-driven retrieval-augmented chat bots.",
        version: "0.1.0",
        license: { name: "MIT", url: "https://opensource.org/license/mit" },
      },
      servers: [{ url: "/", description: "this server (PORT, default 8001)" }],
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "pf_… API key" } },
      },
      security: [{ apiKey: [] }],
    },
    transform: (route) => {
      const transformed = jsonSchemaTransform(route);
      // Multipart bodies are parsed by @fastify/multipart, not validated by zod: describe them here.
      if (!route.schema?.consumes?.includes("multipart/form-data")) return transformed;
      return { ...transformed, schema: { ...transformed.schema, body: MULTIPART_UPLOAD_BODY } };
    },
    transformObject: (document) => finishOpenApiDocument(jsonSchemaTransformObject(document)),
  });
  await app.register(swaggerUi, { routePrefix: "/docs", ...docsCspOptions });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await registerConsole(app, deps.consoleDir);
  await app.register(healthRoutes(ctx));
  await app.register(schemaRoutes());
  await app.register(
    async (api) => {
      await registerRateLimits(api, deps.config.rateLimit, deps.redis);
      registerApiKeyAuth(
        api,
        deps.apiKeys ?? storedApiKeys(deps.storage.apiKeys),
        authFailureGuard(api, deps.config.rateLimit),
      );
      await api.register(multipart, {
        limits: { fileSize: deps.config.maxUploadBytes, files: 1, fields: 10, parts: 12 },
      });
      await api.register(botRoutes(ctx));
      await api.register(workflowVersionRoutes(ctx));
      await api.register(workflowExecutionRoutes(ctx));
      await api.register(runControlRoutes(ctx));
      await api.register(debugNodeRoutes(ctx));
      await api.register(chatRoutes(ctx));
      await api.register(secretRoutes(ctx));
      await api.register(documentRoutes(ctx));
      await api.register(vectorIndexRoutes(ctx));
      await api.register(sessionRoutes(ctx));
      await api.register(keyRoutes(ctx));
      await api.register(statisticsRoutes(ctx));
      await api.register(nodeTypeRoutes(ctx));
    },
    { prefix: "/api/v1" },
  );
  await app.ready();
  return app as unknown as PortflowApp;
}
