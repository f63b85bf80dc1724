/**
 * The draft steps route tests share: a bot whose draft is a given graph, and a debug run of it.
 * @module
 */
import type { TestApp } from "./test-app.ts";

/** Creates a bot and saves `graph` as its draft through the API; throws when the draft is not valid. */
export async function botWithValidDraft(t: TestApp, graph: unknown, name = "draft"): Promise<string> {
  const botId = (await t.storage.bots.create({ name })).id;
  const saved = await t.app.inject({
    method: "PUT",
    url: `/api/v1/bots/${botId}/workflow-versions/draft`,
    headers: t.admin,
    payload: { graph },
  });
  const body = saved.json() as { valid?: boolean };
  if (body.valid !== true) throw new Error(`draft not saved as valid: ${saved.body}`);
  return botId;
}

/** `POST …/workflow-versions/draft/run` as the admin, without inputs. */
export function runDraft(t: TestApp, botId: string) {
  return t.app.inject({ method: "POST", url: `/api/v1/bots/${botId}/workflow-versions/draft/run`, headers: t.admin });
}
