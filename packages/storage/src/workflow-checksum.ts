import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal graphs hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/** `sha256:<hex>` of the canonical JSON of a workflow graph. */
export function workflowChecksum(graph: unknown): string {
  return `sha256:${createHash("sha256")
    .update(canonicalJson(graph) ?? "null")
    .digest("hex")}`;
}
