import { createNodeRegistry } from "@portflow/nodes";
import type { Command } from "commander";
import { describeNodeTypes } from "../../node-type-catalog.ts";
import type { CliSession } from "../cli-session.ts";
import { formatTable } from "../text-table.ts";

function portList(ports: readonly { name: string; type: string; required?: boolean }[], inputs: boolean): string {
  return ports.map((p) => `${p.name}: ${p.type}${inputs && p.required !== true ? "?" : ""}`).join(", ");
}

/** `portflow nodes list`: the node types a workflow can use. */
export function registerNodesCommands(program: Command, session: CliSession): void {
  const nodes = program.command("nodes").description("the node types workflows can use");

  nodes
    .command("list")
    .description("list every node type with its input and output ports (--json: with its config JSON Schema)")
    .option("--json", "print [{type, description, ports, config_schema}] as JSON")
    .action((options: { json?: boolean }) => {
      const types = describeNodeTypes(createNodeRegistry());
      if (options.json === true) return session.json(types);
      session.out(
        formatTable(
          [{ header: "type" }, { header: "inputs (? optional)" }, { header: "outputs" }, { header: "description" }],
          types.map((t) => [t.type, portList(t.ports.inputs, true), portList(t.ports.outputs, false), t.description]),
        ),
      );
      session.out("`portflow nodes list --json` adds each type's config JSON Schema");
    });
}
