/**
 * A Dify chatflow using every node type Portflow now has (question-classifier,
 * parameter-extractor, http-request, javascript code, template-transform, assigner v2, llm,
 * answers, conversation variables) imported, validated against the real node registry and run
 * with the offline providers against a local order API, over two chat turns.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ServiceContainer,
  Services,
  validateWorkflow,
  WorkflowExecutorV2,
  type WorkflowV2Json,
} from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { LocalChatModel } from "@portflow/nodes/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDifyDsl } from "../src/index.ts";
import { fixture } from "./fixtures.ts";

let server: Server;
let api: string;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const id = /^\/api\/orders\/([^?]+)/.exec(req.url ?? "")?.[1];
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(id === "A-1234" ? { status: "shipped", eta_days: 2 } : { status: "unknown", eta_days: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const registry = createNodeRegistry({ http: { allow: ["127.0.0.1"] } });
const executor = new WorkflowExecutorV2(registry, {
  services: new ServiceContainer().register(Services.ChatModel, new LocalChatModel()),
});

function importWith(orderApi: string) {
  const text = fixture("order-status-chatflow.yml").replace("http://127.0.0.1:9/api", orderApi);
  return importDifyDsl(text, { modelMap: { "anthropic/claude-3-5-haiku": { provider: "local", name: "local-chat" } } });
}

describe("an imported Dify chatflow runs on Portflow's nodes", () => {
  it("imports every Dify node as its Portflow type, records the model map, and validates against the real registry", () => {
    const { workflow, problems, report } = importWith(api);
    expect(problems).toEqual([]);
    expect(report.needs_node_types).toEqual([]);
    expect(report.items.filter((i) => i.portflow_type !== undefined).map((i) => i.portflow_type)).toEqual([
      "start",
      "question-classifier",
      "parameter-extractor",
      "http-request",
      "code",
      "template-transform",
      "assigner",
      "answer",
      "llm",
      "assigner",
      "answer",
      "answer",
    ]);
    expect(report.models.map((m) => m.mapped_to)).toEqual([null, null, { provider: "local", name: "local-chat" }]);
    expect(validateWorkflow(workflow, registry, { allowV1: false }).problems).toEqual([]);
  });

  it("turn 1 looks the order up and remembers it; turn 2 chats and reads the remembered order", async () => {
    const workflow = importWith(api).workflow as WorkflowV2Json;
    const first = await executor.run(workflow, {}, { system: { query: "Where is my order? order id: A-1234" } });
    expect(first.status).toBe("succeeded");
    expect(first.outputs).toEqual({ answer: "Order A-1234 is shipped, arriving in 2 days." });
    expect(requests.at(-1)).toBe("/api/orders/A-1234?source=dify");
    expect(first.conversation?.values).toEqual({ last_order: "A-1234", turns: 1 });

    const second = await executor.run(
      workflow,
      {},
      { system: { query: "Thanks! Anything else I should know?" }, conversation: first.conversation?.values ?? {} },
    );
    expect(second.status).toBe("succeeded");
    expect(second.outputs.answer).toMatch(/\(last order: A-1234\)$/);
    expect(second.nodes.find((n) => n.nodeId === "lookup")?.status).toBe("skipped");
    expect(second.conversation?.values).toEqual({ last_order: "A-1234", turns: 2 });
  });

  it("takes the fail branch when the order API cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const workflow = importWith(`http://127.0.0.1:${port}/api`).workflow as WorkflowV2Json;
    const result = await executor.run(workflow, {}, { system: { query: "Where is my order? order id: A-1234" } });
    expect(result.outputs).toEqual({ answer: "The order service did not answer." });
    expect(result.nodes.find((n) => n.nodeId === "lookup")?.status).toBe("failed");
  });
});
