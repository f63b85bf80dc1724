import { ragWorkflow, ragWorkflowV1 } from "@portflow/engine/testing";
/** Workflow JSON for tests and the benchmark. */

/** start → knowledge → llm → end, answering with `answer` and `sources` (DESIGN.md's example). */
export const RAG_WORKFLOW_V2 = ragWorkflow({ contextFrom: "documents" });

/** The same bot as a V1 (legacy) workflow. */
export const RAG_WORKFLOW_V1 = ragWorkflowV1();

/** start → shout (template `{{q}}!` of the required `query`) → end: answers "hello!" to "hello". */
export const SHOUT_WORKFLOW = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "shout",
      type: "template",
      config: { template: "{{q}}!" },
      variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
    },
    { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["shout", "text"] }] },
  ],
  edges: [
    { source: "start", target: "shout" },
    { source: "shout", target: "end" },
  ],
};

/**
 * start (optional `query`) → fetch → shout (gets fetch's body as `prev`) → end (answering with
 * shout's body): both steps http-requests to the API at `origin`, fetch to `/{fetchPath}`,
 * shout to `/shout?prev=…`.
 */
export function fetchShoutWorkflow(origin: string, fetchPath = "fetch") {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string" }] } },
      { id: "fetch", type: "http-request", config: { url: `${origin}/${fetchPath}` } },
      {
        id: "shout",
        type: "http-request",
        config: { url: `${origin}/shout?prev={{prev}}` },
        variable_mappings: [{ target_port: "prev", selector: ["fetch", "body"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["shout", "body"] }] },
    ],
    edges: [
      { source: "start", target: "fetch" },
      { source: "fetch", target: "shout" },
      { source: "shout", target: "end" },
    ],
  };
}

/**
 * A workflow whose nodes end every way a node can, for tests of recorded outcomes: start →
 * lookup (http-request failing: default outputs) → route (if-else: `greeting` when the query
 * starts with "hello", else `false`) → greeting: risky (http-request failing: fail branch →
 * apology; its normal path `normal` is skipped) / false: other → end. `origin` is an API whose
 * `/lookup` and `/risky` answer 500 and that the server's http-request nodes may call.
 */
export function outcomesWorkflow(origin: string) {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
      {
        id: "lookup",
        type: "http-request",
        config: { url: `${origin}/lookup` },
        error_strategy: "default-value",
        default_outputs: { body: "nothing found" },
      },
      {
        id: "route",
        type: "if-else",
        config: { cases: [{ id: "greeting", conditions: [{ input: "q", operator: "starts-with", value: "hello" }] }] },
        variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
      },
      { id: "risky", type: "http-request", config: { url: `${origin}/risky` }, error_strategy: "fail-branch" },
      { id: "normal", type: "template", config: { template: "all fine" } },
      { id: "apology", type: "template", config: { template: "sorry" } },
      { id: "other", type: "template", config: { template: "you asked something else" } },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "lookup", selector: ["lookup", "body"] },
          { target_port: "normal", selector: ["normal", "text"] },
          { target_port: "apology", selector: ["apology", "text"] },
          { target_port: "other", selector: ["other", "text"] },
        ],
      },
    ],
    edges: [
      { source: "start", target: "lookup" },
      { source: "lookup", target: "route" },
      { source: "route", source_port: "greeting", target: "risky" },
      { source: "route", source_port: "false", target: "other" },
      { source: "risky", target: "normal" },
      { source: "risky", source_port: "fail", target: "apology" },
      { source: "normal", target: "end" },
      { source: "apology", target: "end" },
      { source: "other", target: "end" },
    ],
  };
}
