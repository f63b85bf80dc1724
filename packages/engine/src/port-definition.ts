import { z } from "zod";
import type { ValueSelector } from "./value-selector.ts";

/** The kinds of value a port carries. `any` is compatible with everything. */
export const PORT_TYPES = [
  "string",
  "number",
  "boolean",
  "object",
  "array",
  "documents",
  "messages",
  "file",
  "any",
] as const;

export type PortType = (typeof PORT_TYPES)[number];

export const portTypeSchema = z.enum(PORT_TYPES);

/** One named, typed input or output of a node. */
export interface PortDefinition {
  readonly name: string;
  readonly type: PortType;
  /** Inputs only: the node cannot run without a value. */
  readonly required?: boolean;
  /** Inputs only: used when no wire or mapping supplies a value. */
  readonly default?: unknown;
  readonly description?: string;
}

export const portDefinitionSchema = z
  .object({
    name: z.string().min(1),
    type: portTypeSchema,
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict();

/** A config string (at `path` below `config`) rendered as a `{{…}}` template over the node's inputs. */
export interface TemplateUse {
  readonly path: readonly (string | number)[];
  readonly template: string;
}

/** A config field (at `path` below `config`) naming an input, possibly with a dotted path (`doc.title`). */
export interface InputRead {
  readonly path: readonly (string | number)[];
  readonly name: string;
}

/**
 * The ports of one node, derived from its type and config.
 * `branches` names the node's branch ports (if/else cases, `fail`): an edge that leaves one of
 * them without a `target_port` makes its target run only when that branch was taken.
 */
export interface NodePortSchema {
  readonly inputs: readonly PortDefinition[];
  readonly outputs: readonly PortDefinition[];
  readonly branches?: readonly string[];
  /** Any mapped or wired port name is accepted as an input of type `any` (end, template, if-else). */
  readonly dynamicInputs?: boolean;
  /** Container types: what the body reads under the container's id (`item`, `index`, loop variables). */
  readonly bodyVariables?: readonly PortDefinition[];
  /** `assigner`: the conversation variables it writes, checked against their declared types. */
  readonly conversationWrites?: readonly ConversationWrite[];
  /** Config strings rendered as `{{…}}` templates over the inputs: validation checks each placeholder. */
  readonly templates?: readonly TemplateUse[];
  /** Config fields naming an input (an if-else condition's `input`): validation checks each name. */
  readonly inputReads?: readonly InputRead[];
  /** Container types: selectors in the config that must point at an output of a body node. */
  readonly bodySelectors?: readonly {
    readonly path: string;
    readonly selector: ValueSelector;
    readonly type: PortType;
  }[];
}

/** Sub-types that a wider port type accepts without conversion. */
const WIDENINGS: Readonly<Record<PortType, readonly PortType[]>> = {
  string: [],
  number: [],
  boolean: [],
  object: ["file"],
  array: ["documents", "messages"],
  documents: [],
  messages: [],
  file: [],
  any: [],
};

/**
 * Whether a value produced as `from` may feed a port declared as `to`.
 *
 * The rule: identical types match; `any` on either side matches; `array` accepts the list types
 * `documents` and `messages`; `object` accepts `file`; and a `string` port accepts `documents`
 * (rendered as numbered context text), so retrieval output can feed a prompt directly.
 * Everything else is a type mismatch reported by validation.
 */
export function isPortCompatible(from: PortType, to: PortType): boolean {
  if (from === to || from === "any" || to === "any") return true;
  if (to === "string" && from === "documents") return true;
  return WIDENINGS[to].includes(from);
}

/** A runtime check of a value against a port type, used for run inputs and node outputs. */
export function valueMatchesPortType(value: unknown, type: PortType): boolean {
  switch (type) {
    case "any":
      return true;
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
    case "documents":
    case "messages":
      return Array.isArray(value);
    case "object":
    case "file":
      return typeof value === "object" && value !== null && !Array.isArray(value);
  }
}

/** What `assigner` can do to a conversation variable. */
export const CONVERSATION_OPERATIONS = [
  "overwrite",
  "clear",
  "set",
  "append",
  "extend",
  "remove-first",
  "remove-last",
  "+=",
  "-=",
  "*=",
  "/=",
] as const;
export type ConversationOperation = (typeof CONVERSATION_OPERATIONS)[number];

/** The variable types an operation needs; absent: any type. */
export const CONVERSATION_OPERATION_TYPES: Readonly<Partial<Record<ConversationOperation, readonly PortType[]>>> = {
  append: ["array", "messages", "documents", "any"],
  extend: ["array", "messages", "documents", "any"],
  "remove-first": ["array", "messages", "documents", "any"],
  "remove-last": ["array", "messages", "documents", "any"],
  "+=": ["number", "any"],
  "-=": ["number", "any"],
  "*=": ["number", "any"],
  "/=": ["number", "any"],
};

/** One conversation write a node declares: `path` locates it in the node's config. */
export interface ConversationWrite {
  readonly variable: string;
  readonly operation: ConversationOperation;
  readonly path: readonly (string | number)[];
  /** The constant written, for `set`. */
  readonly value?: unknown;
}
