import { ApiError } from "./api-error.ts";
import type {
  AcceptedRunAttempt,
  Bot,
  BotStatistics,
  Page,
  RunCancel,
  RunDetail,
  RunPage,
  RunStatus,
  StatisticsWindow,
  StoredDocument,
  WorkflowVersion,
} from "./api-types.ts";

/** Runs per page of the runs list. */
export const RUNS_PAGE_SIZE = 50;

/** Filters of the runs list (`GET /bots/{id}/workflow-executions`). */
export interface RunFilters {
  readonly status?: readonly RunStatus[];
  readonly trigger?: "chat" | "api" | "debug";
  readonly session_id?: string;
  /** ISO 8601 */
  readonly from?: string;
  /** ISO 8601 */
  readonly to?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Builds a query string, leaving out empty values. */
export function queryString(params: Record<string, string | number | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(name, value.join(","));
    } else search.set(name, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** Resume and rerun answer 202 with the new run's id at once instead of when it has ended. */
const RESPOND_ASYNC = Object.freeze({ prefer: "respond-async" });

function runPath(botId: string, runId: string): string {
  return `/bots/${encodeURIComponent(botId)}/workflow-executions/${encodeURIComponent(runId)}`;
}

/**
 * The public HTTP API on this origin, called with one API key (sent as a bearer token, never
 * in a URL). Every non-2xx answer throws an `ApiError` carrying the API's message.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly base = "/api/v1",
  ) {}

  /** A JSON request; `body` is sent as JSON when given. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...headers,
        authorization: `Bearer ${this.key}`,
        accept: "application/json",
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal !== undefined && { signal }),
    });
    if (!response.ok) throw await ApiError.from(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** The headers a raw request (upload, stream) needs. */
  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  listBots(signal?: AbortSignal): Promise<Page<Bot>> {
    return this.request("GET", "/bots?limit=500", undefined, signal);
  }

  getBot(botId: string, signal?: AbortSignal): Promise<Bot> {
    return this.request("GET", `/bots/${encodeURIComponent(botId)}`, undefined, signal);
  }

  listRuns(botId: string, filters: RunFilters, signal?: AbortSignal): Promise<RunPage> {
    const qs = queryString({
      limit: filters.limit ?? RUNS_PAGE_SIZE,
      cursor: filters.cursor,
      status: filters.status,
      trigger: filters.trigger,
      session_id: filters.session_id,
      from: filters.from,
      to: filters.to,
    });
    return this.request("GET", `/bots/${encodeURIComponent(botId)}/workflow-executions${qs}`, undefined, signal);
  }

  getRun(botId: string, runId: string, signal?: AbortSignal): Promise<RunDetail> {
    const path = `/bots/${encodeURIComponent(botId)}/workflow-executions/${encodeURIComponent(runId)}`;
    return this.request("GET", path, undefined, signal);
  }

  /** Cancels a queued or running run (202: `outcome` says how it found it). */
  cancelRun(botId: string, runId: string): Promise<RunCancel> {
    return this.request("POST", `${runPath(botId, runId)}/cancel`, {});
  }

  /**
   * Resumes a failed, interrupted or cancelled run (from its failed node, or `fromNode`) as a new
   * run, answered as soon as it is submitted (`Prefer: respond-async`) so it can be followed live.
   */
  resumeRun(botId: string, runId: string, fromNode?: string): Promise<AcceptedRunAttempt> {
    const body = fromNode === undefined ? {} : { from_node: fromNode };
    return this.request("POST", `${runPath(botId, runId)}/resume`, body, undefined, RESPOND_ASYNC);
  }

  /** Runs an ended run again from scratch (same inputs, version) as a new run, answered once submitted. */
  rerunRun(botId: string, runId: string): Promise<AcceptedRunAttempt> {
    return this.request("POST", `${runPath(botId, runId)}/rerun`, {}, undefined, RESPOND_ASYNC);
  }

  listVersions(botId: string, signal?: AbortSignal): Promise<Page<WorkflowVersion>> {
    return this.request("GET", `/bots/${encodeURIComponent(botId)}/workflow-versions?limit=200`, undefined, signal);
  }

  getVersion(botId: string, version: string, signal?: AbortSignal): Promise<WorkflowVersion> {
    const path = `/bots/${encodeURIComponent(botId)}/workflow-versions/${encodeURIComponent(version)}`;
    return this.request("GET", path, undefined, signal);
  }

  /** The draft, or `null` when the bot has none. */
  async getDraft(botId: string, signal?: AbortSignal): Promise<WorkflowVersion | null> {
    try {
      return await this.request("GET", `/bots/${encodeURIComponent(botId)}/workflow-versions/draft`, undefined, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && /draft/.test(error.message)) return null;
      throw error;
    }
  }

  saveDraft(botId: string, graph: Record<string, unknown>, revision: number): Promise<WorkflowVersion> {
    return this.request("PUT", `/bots/${encodeURIComponent(botId)}/workflow-versions/draft`, { graph, revision });
  }

  publishDraft(botId: string, revision: number): Promise<WorkflowVersion> {
    return this.request("POST", `/bots/${encodeURIComponent(botId)}/workflow-versions/draft/publish`, { revision });
  }

  getStatistics(botId: string, window: StatisticsWindow, signal?: AbortSignal): Promise<BotStatistics> {
    const path = `/bots/${encodeURIComponent(botId)}/statistics${queryString({ window })}`;
    return this.request("GET", path, undefined, signal);
  }

  /** Copies a version's graph into the draft (`version`: an id or number). */
  restoreVersion(botId: string, version: string, revision: number | undefined): Promise<WorkflowVersion> {
    const path = `/bots/${encodeURIComponent(botId)}/workflow-versions/${encodeURIComponent(version)}/restore`;
    return this.request("POST", path, revision === undefined ? {} : { revision });
  }

  listDocuments(botId: string, signal?: AbortSignal): Promise<{ items: StoredDocument[] }> {
    return this.request("GET", `/bots/${encodeURIComponent(botId)}/documents`, undefined, signal);
  }

  deleteDocument(botId: string, documentId: string): Promise<void> {
    return this.request("DELETE", `/bots/${encodeURIComponent(botId)}/documents/${encodeURIComponent(documentId)}`);
  }
}
