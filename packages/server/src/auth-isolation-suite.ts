/**
 * The isolation matrix: a key scoped to bot A, aimed at every route with bot B's resources (and
 * at bot A's routes with B's resource ids), gets the same 404 a missing bot gets and learns nothing;
 * admin-only routes answer it 403. A chat-scoped key for bot A may only chat with bot A: every
 * other route answers 403, chatting with bot B the same 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipartBody } from "./testing/multipart-body.ts";
import { createTestApp, type TestApp, type TestAppOptions } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

interface Probe {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI path template, to prove every route is covered. */
  readonly route: string;
  readonly url: string;
  readonly payload?: unknown;
  readonly multipart?: boolean;
  /** A YAML body (the Dify import). */
  readonly yaml?: string;
}

/** Registers the matrix against an app built with `options()` (called in beforeAll). */
export function describeBotIsolation(name: string, options: () => Promise<TestAppOptions> | TestAppOptions): void {
  let t: TestApp;
  let keyA: { authorization: string };
  let chatKeyA: { authorization: string };
  const b = { botId: "", versionId: "", runId: "", documentId: "", keyId: "", key: "", name: "Bot B secret name" };
  let botA = "";

  beforeAll(async () => {
    t = await createTestApp(await options());
    botA = (await t.storage.bots.create({ name: "Bot A" })).id;
    const botB = await t.storage.bots.create({ name: b.name });
    b.botId = botB.id;
    await t.storage.workflowVersions.saveDraft(botB.id, RAG_WORKFLOW_V2);
    b.versionId = (await t.storage.workflowVersions.publish(botB.id)).id;
    const chat = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botB.id, message: "hello" },
    });
    b.runId = chat.json().run_id;
    const body = multipartBody({
      filename: "b.md",
      contentType: "text/markdown",
      content: "# B\n\nBot B's private notes.",
    });
    const upload = await t.app.inject({
      method: "POST",
      url: `/api/v1/documents/upload?bot_id=${botB.id}`,
      headers: { ...t.admin, ...body.headers },
      payload: body.payload,
    });
    b.documentId = upload.json().id;
    const keyB = await t.storage.apiKeys.create({ name: "Bot B's key", botId: botB.id });
    b.keyId = keyB.key.id;
    b.key = keyB.plaintext;
    keyA = await t.keyFor(botA);
    chatKeyA = await t.keyFor(botA, "chat");
    await t.storage.workflowVersions.saveDraft(botA, RAG_WORKFLOW_V2);
    await t.storage.workflowVersions.publish(botA);
  });
  afterAll(async () => {
    await t?.close();
  });

  function probes(): Probe[] {
    const B = b.botId;
    const versions = "/api/v1/bots/{bot_id}/workflow-versions";
    const executions = "/api/v1/bots/{bot_id}/workflow-executions";
    return [
      { method: "GET", route: "/api/v1/bots/{bot_id}", url: `/api/v1/bots/${B}` },
      { method: "PATCH", route: "/api/v1/bots/{bot_id}", url: `/api/v1/bots/${B}`, payload: { name: "pwned" } },
      { method: "DELETE", route: "/api/v1/bots/{bot_id}", url: `/api/v1/bots/${B}` },
      { method: "GET", route: versions, url: `/api/v1/bots/${B}/workflow-versions` },
      { method: "GET", route: `${versions}/draft`, url: `/api/v1/bots/${B}/workflow-versions/draft` },
      {
        method: "PUT",
        route: `${versions}/draft`,
        url: `/api/v1/bots/${B}/workflow-versions/draft`,
        payload: { graph: { schema_version: 2, nodes: [] }, force: true },
      },
      { method: "POST", route: `${versions}/draft/publish`, url: `/api/v1/bots/${B}/workflow-versions/draft/publish` },
      {
        method: "POST",
        route: `${versions}/draft/import`,
        url: `/api/v1/bots/${B}/workflow-versions/draft/import?force=true`,
        yaml: "kind: app\napp: {name: x, mode: workflow}\nworkflow:\n  graph:\n    nodes: []\n",
      },
      {
        method: "POST",
        route: `${versions}/draft/run`,
        url: `/api/v1/bots/${B}/workflow-versions/draft/run`,
        payload: { inputs: { query: "x" } },
      },
      { method: "GET", route: `${versions}/{version}`, url: `/api/v1/bots/${B}/workflow-versions/${b.versionId}` },
      { method: "GET", route: `${versions}/{version}`, url: `/api/v1/bots/${B}/workflow-versions/1` },
      { method: "GET", route: `${versions}/{version}`, url: `/api/v1/bots/${botA}/workflow-versions/${b.versionId}` },
      {
        method: "POST",
        route: `${versions}/{version}/restore`,
        url: `/api/v1/bots/${B}/workflow-versions/${b.versionId}/restore`,
      },
      {
        method: "POST",
        route: `${versions}/{version}/restore`,
        url: `/api/v1/bots/${botA}/workflow-versions/${b.versionId}/restore`,
      },
      {
        method: "POST",
        route: `${versions}/draft/nodes/{node_id}/run`,
        url: `/api/v1/bots/${B}/workflow-versions/draft/nodes/answer/run`,
        payload: { inputs: { query: "leak?" } },
      },
      {
        method: "POST",
        route: `${versions}/draft/nodes/{node_id}/run`,
        url: `/api/v1/bots/${botA}/workflow-versions/draft/nodes/answer/run`,
        payload: { from_run: b.runId },
      },
      { method: "GET", route: executions, url: `/api/v1/bots/${B}/workflow-executions` },
      { method: "GET", route: `${executions}/statistics`, url: `/api/v1/bots/${B}/workflow-executions/statistics` },
      { method: "GET", route: `${executions}/{run_id}`, url: `/api/v1/bots/${B}/workflow-executions/${b.runId}` },
      { method: "GET", route: "/api/v1/bots/{bot_id}/statistics", url: `/api/v1/bots/${B}/statistics?window=7d` },
      { method: "GET", route: `${executions}/{run_id}`, url: `/api/v1/bots/${botA}/workflow-executions/${b.runId}` },
      ...["resume", "rerun", "cancel"].map((action) => ({
        method: "POST" as const,
        route: `${executions}/{run_id}/${action}`,
        url: `/api/v1/bots/${B}/workflow-executions/${b.runId}/${action}`,
      })),
      {
        method: "GET",
        route: `${executions}/{run_id}/events`,
        url: `/api/v1/bots/${B}/workflow-executions/${b.runId}/events`,
      },
      {
        method: "POST",
        route: `${executions}/{run_id}/cancel`,
        url: `/api/v1/bots/${botA}/workflow-executions/${b.runId}/cancel`,
      },
      { method: "POST", route: "/api/v1/chat", url: "/api/v1/chat", payload: { bot_id: B, message: "leak?" } },
      {
        method: "POST",
        route: "/api/v1/documents/upload",
        url: `/api/v1/documents/upload?bot_id=${B}`,
        multipart: true,
      },
      {
        method: "POST",
        route: "/api/v1/bots/{bot_id}/documents",
        url: `/api/v1/bots/${B}/documents`,
        multipart: true,
      },
      { method: "GET", route: "/api/v1/bots/{bot_id}/documents", url: `/api/v1/bots/${B}/documents` },
      { method: "GET", route: "/api/v1/bots/{bot_id}/vector-index", url: `/api/v1/bots/${B}/vector-index` },
      {
        method: "GET",
        route: "/api/v1/bots/{bot_id}/sessions/{session_id}/variables",
        url: `/api/v1/bots/${B}/sessions/s-1/variables`,
      },
      {
        method: "DELETE",
        route: "/api/v1/bots/{bot_id}/documents/{document_id}",
        url: `/api/v1/bots/${B}/documents/${b.documentId}`,
      },
      {
        method: "DELETE",
        route: "/api/v1/bots/{bot_id}/documents/{document_id}",
        url: `/api/v1/bots/${botA}/documents/${b.documentId}`,
      },
      { method: "GET", route: "/api/v1/bots/{bot_id}/secrets", url: `/api/v1/bots/${B}/secrets` },
      {
        method: "PUT",
        route: "/api/v1/bots/{bot_id}/secrets/{name}",
        url: `/api/v1/bots/${B}/secrets/LEAK`,
        payload: { value: "x" },
      },
      { method: "DELETE", route: "/api/v1/bots/{bot_id}/secrets/{name}", url: `/api/v1/bots/${B}/secrets/LEAK` },
    ];
  }

  /** Routes only admin keys may call, aimed at bot B and its key. */
  function adminOnlyProbes(): Probe[] {
    return [
      { method: "POST", route: "/api/v1/bots", url: "/api/v1/bots", payload: { name: "mine now" } },
      { method: "GET", route: "/api/v1/keys", url: "/api/v1/keys" },
      { method: "GET", route: "/api/v1/keys", url: `/api/v1/keys?bot_id=${b.botId}` },
      {
        method: "POST",
        route: "/api/v1/keys",
        url: "/api/v1/keys",
        payload: { name: "backdoor", scope: "bot", bot_id: b.botId },
      },
      { method: "DELETE", route: "/api/v1/keys/{key_id}", url: `/api/v1/keys/${b.keyId}` },
    ];
  }

  /** `METHOD /path` of every route in the OpenAPI document. */
  async function allRoutes(): Promise<{ method: Probe["method"]; path: string }[]> {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    return Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase() as Probe["method"], path })),
    );
  }

  function inject(probe: Probe, headers: { authorization: string }) {
    const body = probe.multipart
      ? multipartBody({ filename: "x.md", contentType: "text/markdown", content: "# x\n\nsneaky" })
      : undefined;
    return t.app.inject({
      method: probe.method,
      url: probe.url,
      headers: {
        ...headers,
        ...body?.headers,
        ...(probe.yaml !== undefined && { "content-type": "application/yaml" }),
      },
      ...(body !== undefined
        ? { payload: body.payload }
        : probe.yaml !== undefined
          ? { payload: probe.yaml }
          : probe.payload !== undefined
            ? { payload: probe.payload as Record<string, unknown> }
            : {}),
    });
  }

  describe(`bot isolation (${name})`, () => {
    it("covers every bot-scoped and admin-only route of the API", async () => {
      const unscoped = ["GET /health", "GET /api/v1/bots", "GET /api/v1/node-types", "GET /schemas/workflow-v2.json"];
      const covered = new Set([...probes(), ...adminOnlyProbes()].map((p) => `${p.method} ${p.route}`));
      const all = (await allRoutes()).map((r) => `${r.method} ${r.path}`);
      expect(all.filter((r) => !unscoped.includes(r) && !covered.has(r))).toEqual([]);
    });

    it("answers 403 on admin-only routes, with nothing of bot B in the answer", async () => {
      for (const probe of adminOnlyProbes()) {
        const res = await inject(probe, keyA);
        expect({ probe: `${probe.method} ${probe.url}`, status: res.statusCode }).toEqual({
          probe: `${probe.method} ${probe.url}`,
          status: 403,
        });
        expect(res.json().error).toMatchObject({ code: "forbidden", message: expect.stringContaining("admin key") });
        for (const secret of [b.name, b.keyId, b.key]) expect(res.body).not.toContain(secret);
      }
      const stillValid = await t.app.inject({
        method: "GET",
        url: `/api/v1/bots/${b.botId}`,
        headers: { authorization: `Bearer ${b.key}` },
      });
      expect(stillValid.statusCode).toBe(200);
      expect((await t.storage.apiKeys.list()).map((k) => k.name)).not.toContain("backdoor");
    });

    it("answers 404 everywhere, with nothing of bot B in the answer", async () => {
      for (const probe of probes()) {
        const res = await inject(probe, keyA);
        expect({ probe: `${probe.method} ${probe.url}`, status: res.statusCode }).toEqual({
          probe: `${probe.method} ${probe.url}`,
          status: 404,
        });
        const text = res.body;
        expect(res.json().error.code).toBe("not_found");
        for (const secret of [b.name, b.runId, b.documentId, b.versionId]) expect(text).not.toContain(secret);
      }
    });

    it("left bot B untouched", async () => {
      const bot = await t.storage.bots.get(b.botId);
      expect(bot?.name).toBe(b.name);
      expect(bot?.publishedVersionId).toBe(b.versionId);
      expect((await t.storage.workflowVersions.getDraft(b.botId))?.revision).toBe(1);
      expect(await t.storage.documents.get(b.botId, b.documentId)).toBeDefined();
      expect((await t.storage.runs.list(b.botId)).items).toHaveLength(1);
    });

    it("gives the same answer for a bot that does not exist", async () => {
      const missing = await t.app.inject({ method: "GET", url: "/api/v1/bots/no-such-bot", headers: keyA });
      const other = await t.app.inject({ method: "GET", url: `/api/v1/bots/${b.botId}`, headers: keyA });
      expect(missing.statusCode).toBe(other.statusCode);
      expect(missing.json()).toEqual(other.json());
    });

    it("lets the key reach its own bot", async () => {
      const res = await t.app.inject({ method: "GET", url: `/api/v1/bots/${botA}`, headers: keyA });
      expect(res.statusCode).toBe(200);
    });
  });

  describe(`chat-scoped keys (${name})`, () => {
    it("answers 403 on every route but chat, for its own bot's resources and for bot B's", async () => {
      const own = (path: string) =>
        path
          .replace("{bot_id}", botA)
          .replace("{version}", "1")
          .replace("{run_id}", "some-run")
          .replace("{document_id}", "some-document")
          .replace("{key_id}", b.keyId);
      const routes = (await allRoutes()).filter((r) => r.path.startsWith("/api/") && r.path !== "/api/v1/chat");
      expect(routes.length).toBeGreaterThan(20);
      const attempts: Probe[] = [
        ...routes.map((r) => ({ method: r.method, route: r.path, url: own(r.path), payload: {} })),
        ...probes().filter((p) => p.route !== "/api/v1/chat"),
        ...adminOnlyProbes(),
      ];
      for (const probe of attempts) {
        const res = await inject(probe, chatKeyA);
        expect({ probe: `${probe.method} ${probe.url}`, status: res.statusCode }).toEqual({
          probe: `${probe.method} ${probe.url}`,
          status: 403,
        });
        expect(res.json().error).toEqual({
          code: "forbidden",
          message: "this key's scope (chat) allows only POST /api/v1/chat",
          details: {},
        });
      }
      // nothing was changed through it: bot A and its runs are there, bot B's key still works
      expect(await t.storage.bots.get(botA)).toBeDefined();
      expect(await t.storage.apiKeys.verify(b.key)).toBeDefined();
    });

    it("chats with its own bot", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/chat",
        headers: chatKeyA,
        payload: { bot_id: botA, message: "hello from a widget" },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ response: expect.any(String), run_id: expect.any(String) });
    });

    it("gets the missing-bot 404 when it chats with another bot", async () => {
      const chat = (botId: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/chat",
          headers: chatKeyA,
          payload: { bot_id: botId, message: "leak?" },
        });
      const other = await chat(b.botId);
      const missing = await chat("no-such-bot");
      expect(other.statusCode).toBe(404);
      expect(other.json()).toEqual(missing.json());
      expect((await t.storage.runs.list(b.botId)).items).toHaveLength(1);
    });
  });
}
