/**
 * A V2 workflow for process tests: start → one http-request node per entry of `paths` (node id →
 * path on `origin`), in a line → end, whose `answer` is the last node's body. The fake server at
 * `origin` counts the calls per path: how a test sees which nodes ran, and how often.
 *
 * @example
 * const graph = callsInLine(fake.origin, { a: "/a", b: "/b" }); // start → a → b → end
 */
export function callsInLine(origin: string, paths: Readonly<Record<string, string>>): Record<string, unknown> {
  const ids = Object.keys(paths);
  const nodes = ids.map((id) => ({ id, type: "http-request", config: { url: `${origin}${paths[id]}` } }));
  const line = ["start", ...ids, "end"];
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [] } },
      ...nodes,
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: [ids.at(-1), "body"] }] },
    ],
    edges: line.slice(1).map((target, i) => ({ source: line[i], target })),
  };
}
