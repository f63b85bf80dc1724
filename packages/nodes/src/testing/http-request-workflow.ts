/**
 * A Start → http-request → End workflow for tests: start inputs `city` (string) and `upload`
 * (file, optional), the node's outputs mapped to the end node under their own names.
 */
export function httpRequestWorkflow(
  config: Record<string, unknown>,
  policies: Record<string, unknown> = {},
  options: { readonly withFile?: boolean } = {},
): Record<string, unknown> {
  return {
    schema_version: 2,
    nodes: [
      {
        id: "start",
        type: "start",
        config: {
          inputs: [
            { name: "city", type: "string", required: false, default: "" },
            ...(options.withFile ? [{ name: "upload", type: "file", required: true }] : []),
          ],
        },
      },
      {
        id: "call",
        type: "http-request",
        config,
        ...policies,
        variable_mappings: [
          // mapped only when read: validation refuses a mapped port the config never reads
          ...(JSON.stringify(config).includes("{{city") ? [{ target_port: "city", selector: ["start", "city"] }] : []),
          ...(options.withFile ? [{ target_port: "file", selector: ["start", "upload"] }] : []),
        ],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: ["status_code", "headers", "body", "json", "files"].map((port) => ({
          target_port: port,
          selector: ["call", port],
        })),
      },
    ],
    edges: [
      { source: "start", target: "call" },
      { source: "call", target: "end" },
    ],
  };
}
