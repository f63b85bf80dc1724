/**
 * `@portflow/nodes/testing` — test doubles other packages reuse: a fake Bedrock server the real
 * AWS SDK talks to, an in-memory vector store and document records, and a hand-made node context.
 * @module
 */

export {
  type AnthropicMessagesBody,
  type FakeAnthropic,
  type FakeAnthropicOptions,
  startFakeAnthropic,
} from "./fake-anthropic.ts";
export {
  type ConverseBody,
  FAKE_RERANK_MODELS,
  type FakeBedrock,
  type FakeBedrockFault,
  type FakeBedrockOperation,
  type FakeBedrockOptions,
  type FakeBedrockReply,
  type FakeBedrockRequest,
  startFakeBedrock,
} from "./fake-bedrock.ts";
export { fakeBedrockClientOptions, fakeBedrockCredentials, fakeBedrockProviderConfig } from "./fake-bedrock-config.ts";
export {
  type FakeModelFault,
  type FakeModelRequest,
  type FakeModelServer,
  startFakeModelServer,
} from "./fake-model-server.ts";
export { type FakeOpenAi, type FakeOpenAiOptions, type OpenAiChatBody, startFakeOpenAi } from "./fake-openai.ts";
export { httpRequestWorkflow } from "./http-request-workflow.ts";
export { type InMemoryDocumentRecord, InMemoryDocumentRecords } from "./in-memory-document-records.ts";
export { InMemoryVectorStore } from "./in-memory-vector-store.ts";
export {
  type HttpTestServer,
  type ReceivedRequest,
  startHttpTestServer,
  type TestHandler,
} from "./start-http-test-server.ts";
export { createTestNodeContext, type TestNodeContext, type TestNodeContextOptions } from "./test-node-context.ts";
