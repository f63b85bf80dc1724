import { WorkflowExecutorV2, type WorkflowV2Json } from "@portflow/engine";
import { singleNodeWorkflow } from "@portflow/engine/testing";
import { describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";

const executor = new WorkflowExecutorV2(createNodeRegistry());

/** start(name, items, user) → template-transform → end(output). */
function templateWorkflow(template: string, limits?: { time_ms?: number; memory_mb?: number }): WorkflowV2Json {
  return singleNodeWorkflow({
    inputs: [
      { name: "name", type: "string" },
      { name: "items", type: "array" },
      { name: "user", type: "object" },
    ],
    node: { id: "render", type: "template-transform", config: { template, ...(limits ? { limits } : {}) } },
    outputs: [["text", "output"]],
  });
}

const inputs = { name: "Ada", items: ["tea", "jam", "bread"], user: { role: "admin", tags: ["a", "b"] } };

async function render(template: string) {
  const result = await executor.run(templateWorkflow(template), inputs);
  const node = result.nodes.find((n) => n.nodeId === "render");
  return { status: result.status, text: result.outputs.text, error: node?.error };
}

describe("template-transform node", () => {
  it("renders Jinja loops, filters, conditionals and joins over its inputs", async () => {
    const template = [
      "Hello {{ name | upper }}!",
      "{% for item in items %}{{ loop.index }}. {{ item | title }}{% if not loop.last %}; {% endif %}{% endfor %}",
      "{{ items | join(', ') }} ({{ items | length }})",
      "{% if user.role == 'admin' %}admin{% elif user.role == 'guest' %}guest{% else %}other{% endif %}",
      "{% set first = items[0] %}{{ first }}-{{ user.tags | join('/') }}-{{ missing | default('none') }}",
      "{% if nothing is defined %}yes{% else %}no{% endif %}",
      "{%- for n in [1, 2] %}\n  {{ n * 10 }}{% endfor %}",
    ].join("\n");
    expect(await render(template)).toMatchObject({
      status: "succeeded",
      text: "Hello ADA!\n1. Tea; 2. Jam; 3. Bread\ntea, jam, bread (3)\nadmin\ntea-a/b-none\nno\n  10\n  20",
    });
  });

  it("renders the README example over retrieved documents", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        {
          id: "start",
          type: "start",
          config: {
            inputs: [
              { name: "docs", type: "array" },
              { name: "tags", type: "array" },
            ],
          },
        },
        {
          id: "format",
          type: "template-transform",
          config: {
            template:
              "{% for d in docs %}{{ loop.index }}. {{ d.content | trim }}\n{% endfor %}Tags: {{ tags | join(', ') }}",
          },
          variable_mappings: [
            { target_port: "docs", selector: ["start", "docs"] },
            { target_port: "tags", selector: ["start", "tags"] },
          ],
        },
        { id: "end", type: "end", variable_mappings: [{ target_port: "text", selector: ["format", "output"] }] },
      ],
      edges: [
        { source: "start", target: "format" },
        { source: "format", target: "end" },
      ],
    };
    const docs = [
      { content: " Refunds take 5 days. ", score: 0.9 },
      { content: "Shipping is free.", score: 0.8 },
    ];
    const result = await executor.run(workflow, { docs, tags: ["faq", "billing"] });
    expect(result.outputs).toEqual({ text: "1. Refunds take 5 days.\n2. Shipping is free.\nTags: faq, billing" });
  });

  it("fails naming a variable or attribute that is not defined, instead of printing a blank", async () => {
    expect(await render("Hi {{ nobody }}")).toMatchObject({
      status: "failed",
      error: { code: "CODE_ERROR", message: 'ReferenceError: variable "nobody" is not defined' },
    });
    expect((await render("Hi {{ user.email }}")).error?.message).toBe(
      'ReferenceError: variable "user.email" is not defined',
    );
  });

  it("reports a template syntax error as a node error", async () => {
    const result = await render("{% for x in items %}{{ x }}");
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("CODE_ERROR");
  });

  it.each([
    ['{{ range.constructor("return process")() }}'],
    ['{{ name.constructor.constructor("return process")() }}'],
    ["{{ user.__proto__ }}"],
    ["{{ user.__proto__.constructor }}"],
    ["{{ cycler.__init__.__globals__.os }}"],
    ["{{ self._TemplateReference__context }}"],
    ["{{ ''.__class__.__mro__ }}"],
    ["{{ lipsum.__globals__['os'].popen('id').read() }}"],
  ])("gives the escape payload %s nothing of the host", async (payload) => {
    const result = await render(payload);
    // each one either fails as a template error or prints nothing: never a host object
    if (result.status === "succeeded") expect(result.text).toBe("");
    else expect(result.error?.code).toBe("CODE_ERROR");
    expect(JSON.stringify(result)).not.toMatch(/native code|uid=|\[object |"pid"|PATH=/);
  });

  it("stops a template that loops for ever at its time limit", async () => {
    const template = "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}";
    const started = performance.now();
    const result = await executor.run(templateWorkflow(template, { time_ms: 300 }), inputs);
    expect(result.nodes.find((n) => n.nodeId === "render")?.error?.code).toMatch(/^SANDBOX_(TIMEOUT|MEMORY)$/);
    expect(performance.now() - started).toBeLessThan(300 + 1_000);
    expect((await render("{{ name }}")).text).toBe("Ada");
  });
});
