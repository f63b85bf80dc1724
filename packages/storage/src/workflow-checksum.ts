import { createHash } from "node:crypto";

type Frame =
  | { readonly kind: "array"; readonly items: readonly unknown[]; next: number }
  | {
      readonly kind: "object";
      readonly source: Record<string, unknown>;
      readonly keys: string[];
      next: number;
      wrote: boolean;
    };

/** What JSON.stringify writes for a value that is not a container, or undefined when it skips it. */
function scalarJson(value: unknown): string | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  return JSON.stringify(value);
}

const isArrayIndex = (key: string) => /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4_294_967_295;

/**
 * Keys in the order the recursive version wrote them: it built a new object with sorted keys,
 * and JavaScript lists integer-like keys first, ascending (as `Object.keys` returns them), then
 * the rest in insertion (here: sorted) order.
 */
function canonicalKeys(source: object): string[] {
  const keys = Object.keys(source);
  return [...keys.filter(isArrayIndex), ...keys.filter((k) => !isArrayIndex(k)).sort()];
}

function toJsonValue(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  return typeof toJSON === "function" ? toJSON.call(value, key) : value;
}

/**
 * JSON with object keys sorted, so equal graphs hash equally whatever the key order. The same
 * text as `JSON.stringify` with sorted keys, built with an explicit stack: no nesting depth
 * overflows it. Returns undefined for a value JSON.stringify skips (undefined, a function).
 */
export function canonicalJson(value: unknown): string | undefined {
  const out: string[] = [];
  const stack: Frame[] = [];

  /** Writes a value (after toJSON); returns false when JSON skips it. */
  const open = (v: unknown): boolean => {
    if (v !== null && typeof v === "object") {
      if (Array.isArray(v)) {
        out.push("[");
        stack.push({ kind: "array", items: v, next: 0 });
      } else {
        const source = v as Record<string, unknown>;
        out.push("{");
        stack.push({ kind: "object", source, keys: canonicalKeys(source), next: 0, wrote: false });
      }
      return true;
    }
    const text = scalarJson(v);
    if (text === undefined) return false;
    out.push(text);
    return true;
  };

  if (!open(toJsonValue(value, ""))) return undefined;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === "array") {
      if (frame.next >= frame.items.length) {
        out.push("]");
        stack.pop();
        continue;
      }
      const index = frame.next++;
      if (index > 0) out.push(",");
      if (!open(toJsonValue(frame.items[index], String(index)))) out.push("null");
      continue;
    }
    if (frame.next >= frame.keys.length) {
      out.push("}");
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.next++]!;
    const v = toJsonValue(frame.source[key], key);
    if (v !== null && typeof v === "object") {
      out.push(`${frame.wrote ? "," : ""}${JSON.stringify(key)}:`);
      frame.wrote = true;
      open(v);
      continue;
    }
    const text = scalarJson(v);
    if (text === undefined) continue;
    out.push(`${frame.wrote ? "," : ""}${JSON.stringify(key)}:${text}`);
    frame.wrote = true;
  }
  return out.join("");
}

/** `sha256:<hex>` of the canonical JSON of a workflow graph. */
export function workflowChecksum(graph: unknown): string {
  return `sha256:${createHash("sha256")
    .update(canonicalJson(graph) ?? "null")
    .digest("hex")}`;
}
