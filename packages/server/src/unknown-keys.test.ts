/**
 * Every JSON body and every query string of the API refuses keys it does not know (a typo such
 * as `"strem": true` used to be ignored silently): one table, built from the OpenAPI document so
 * a new route is covered the day it is added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./testing/index.ts";

type Json = Record<string, unknown>;
interface Case {
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly where: "body" | "query";
  /** A key the route takes, to misspell. */
  readonly known: string;
}

let t: TestApp;
let cases: Case[];
let botId: string;

const PATH_VALUES: Readonly<Record<string, string>> = {
  version: "1",
  run_id: "some-run",
  document_id: "some-document",
  key_id: "some-key",
  name: "SOME_SECRET",
  session_id: "some-session",
};

function resolve(doc: Json, schema: unknown): Json {
  const ref = (schema as Json | undefined)?.$ref;
  if (typeof ref !== "string") return (schema ?? {}) as Json;
  return ((doc.components as Json).schemas as Json)[ref.split("/").at(-1) ?? ""] as Json;
}

function casesOf(doc: Json): Case[] {
  const found: Case[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
      name === "bot_id" ? botId : (PATH_VALUES[name] ?? "x"),
    );
    for (const [method, op] of Object.entries(item)) {
      const operation = String(op.operationId);
      const json = (((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] ??
        undefined) as Json | undefined;
      const body = json === undefined ? undefined : resolve(doc, json.schema);
      const bodyKeys = Object.keys((body?.properties as Json | undefined) ?? {});
      if (bodyKeys[0] !== undefined) found.push({ operation, method, url, where: "body", known: bodyKeys[0] });
      const query = ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === "query");
      if (query[0] !== undefined) found.push({ operation, method, url, where: "query", known: String(query[0].name) });
    }
  }
  return found;
}

beforeAll(async () => {
  t = await createTestApp();
  botId = (await t.storage.bots.create({ name: "unknown keys" })).id;
  cases = casesOf((await t.app.inject({ method: "GET", url: "/openapi.json" })).json());
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe("unknown keys", () => {
  it("the table covers every JSON body and query string of the API", () => {
    const covered = cases.map((c) => `${c.operation} ${c.where}`).sort();
    // a new route with a body or query joins the table below by itself; this list proves the table is read right
    expect(covered).toEqual([
      "chat body",
      "createApiKey body",
      "createBot body",
      "getBotStatistics query",
      "getWorkflowExecutionStatistics query",
      "importDifyDraft query",
      "listApiKeys query",
      "listBots query",
      "listDocuments query",
      "listWorkflowExecutions query",
      "listWorkflowVersions query",
      "publishDraft body",
      "restoreWorkflowVersion body",
      "resumeRun body",
      "runDraft body",
      "runDraftNode body",
      "saveDraft body",
      "setBotSecret body",
      "updateBot body",
      "uploadDocumentDeprecated query",
    ]);
  });

  it("answers 400 naming each unknown key, with a did-you-mean for a near miss, on every route", async () => {
    for (const c of cases) {
      const typo = `${c.known}x`;
      const odd = "zz_not_a_field";
      const res =
        c.where === "body"
          ? await t.app.inject({
              method: c.method.toUpperCase() as "POST",
              url: c.url,
              headers: t.admin,
              payload: { [typo]: 1, [odd]: true },
            })
          : await t.app.inject({
              method: c.method.toUpperCase() as "GET",
              url: `${c.url}${c.url.includes("?") ? "&" : "?"}${typo}=1&${odd}=1`,
              headers: { ...t.admin, ...(c.operation === "importDifyDraft" && { "content-type": "application/yaml" }) },
              ...(c.operation === "importDifyDraft" && { payload: "kind: app\n" }),
            });
      const error = res.json().error;
      const seen = { case: `${c.operation} ${c.where}`, status: res.statusCode, code: error?.code };
      expect(seen).toEqual({ case: `${c.operation} ${c.where}`, status: 400, code: "validation_error" });
      expect(error.message).toContain(`unknown keys "${typo}" (did you mean "${c.known}"?), "${odd}"`);
      const issue = error.details.issues.find((i: { unknown_keys?: string[] }) => i.unknown_keys !== undefined);
      expect({ case: seen.case, path: issue?.path, keys: issue?.unknown_keys }).toEqual({
        case: seen.case,
        path: c.where,
        keys: [typo, odd],
      });
    }
  }, 120_000);

  it("refuses the typo from the issue: chat with strem: true names stream", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: "hi", strem: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('unknown key "strem" (did you mean "stream"?)');
  });
});
