import { unknownNameHint } from "./did-you-mean.ts";
import type { NodePortSchema } from "./port-definition.ts";
import { templatePlaceholders } from "./template-uses.ts";
import { SYSTEM_VARIABLES } from "./value-selector.ts";

/** What a node's templates and input reads may name. */
export interface InputReadScope {
  readonly nodeId: string;
  /** Declared inputs plus every mapped or wired port of the node. */
  readonly bound: readonly string[];
  /** The workflow's declared env, when it declares one (then it is all of it). */
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly conversation: ReadonlySet<string>;
}

/** A problem below the node's `config`. */
export interface InputReadProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Roots a template reaches outside the node's inputs (`secret` is the http-request node's). */
const ROOTS = ["sys", "env", "conversation", "secret"];

/**
 * The input names a node's templates and input reads use (first path segment), or undefined when
 * its type declares neither, so that any mapped port is accepted.
 */
export function inputsRead(ports: NodePortSchema): Set<string> | undefined {
  if (ports.templates === undefined && ports.inputReads === undefined) return undefined;
  const names = new Set<string>();
  const add = (expression: string) => {
    const [head = "", second] = expression.split(".");
    if (!(ROOTS.includes(head) && second !== undefined)) names.add(head);
  };
  for (const use of ports.templates ?? []) for (const expression of templatePlaceholders(use.template)) add(expression);
  for (const read of ports.inputReads ?? []) add(read.name);
  return names;
}

/**
 * Placeholders and input reads that name nothing the node has: an input that is neither declared,
 * mapped nor wired, an unknown `sys.*`, an undeclared `env.*` or `conversation.*`.
 */
export function inputReadProblems(ports: NodePortSchema, scope: InputReadScope): InputReadProblem[] {
  const problems: InputReadProblem[] = [];
  const bound = new Set(scope.bound);
  const check = (path: readonly (string | number)[], expression: string, shown: string) => {
    const [head = "", second] = expression.split(".");
    if (bound.has(head)) return;
    if (ROOTS.includes(head) && second !== undefined) {
      if (head === "sys" && !(SYSTEM_VARIABLES as readonly string[]).includes(second)) {
        problems.push({
          path,
          message: `${shown} names an unknown system variable "sys.${second}"${unknownNameHint(second, SYSTEM_VARIABLES)}`,
        });
      } else if (head === "env" && scope.env !== undefined && !Object.hasOwn(scope.env, second)) {
        problems.push({
          path,
          message: `${shown}: env "${second}" is not declared in the workflow's env${unknownNameHint(second, Object.keys(scope.env), "declared")}`,
        });
      } else if (head === "conversation" && !scope.conversation.has(second)) {
        problems.push({
          path,
          message: `${shown}: conversation variable "${second}" is not declared in conversation_variables${unknownNameHint(second, [...scope.conversation], "declared")}`,
        });
      }
      return;
    }
    problems.push({
      path,
      message: `${shown} names "${head}", which is not an input of "${scope.nodeId}": map or wire it${unknownNameHint(head, scope.bound, "inputs")}`,
    });
  };
  for (const use of ports.templates ?? []) {
    for (const expression of templatePlaceholders(use.template))
      check(use.path, expression, `placeholder {{${expression}}}`);
  }
  for (const read of ports.inputReads ?? []) check(read.path, read.name, `"${read.name}"`);
  return problems;
}
