/**
 * Test helpers for `@portflow/server`.
 * @module
 */
export { type RedisServer, startRedisServer } from "./redis-server.ts";
export { ScriptedChatModel, type ScriptedChatModelOptions } from "./scripted-chat-model.ts";
export {
  createTestApp,
  DEFAULT_TEST_CONFIG,
  TEST_EMBEDDING_DIMENSIONS,
  type TestApp,
  type TestAppOptions,
} from "./test-app.ts";
export { outcomesWorkflow, RAG_WORKFLOW_V1, RAG_WORKFLOW_V2 } from "./workflows.ts";
