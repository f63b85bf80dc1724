/** A console page, from the URL's hash (`#/bots/b1/runs/r1`). */
export type Route =
  | { readonly page: "bots" }
  | { readonly page: "runs"; readonly botId: string }
  | { readonly page: "run"; readonly botId: string; readonly runId: string }
  | { readonly page: "workflow"; readonly botId: string }
  | { readonly page: "documents"; readonly botId: string }
  | { readonly page: "playground"; readonly botId: string }
  | { readonly page: "statistics"; readonly botId: string }
  | { readonly page: "not-found"; readonly path: string };

/** Reads a hash such as `#/bots/b1/workflow`; unknown paths are `not-found`, never an exception. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "");
  const parts = path
    .split("/")
    .filter((part) => part !== "")
    .map(safeDecode);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "bots")) return { page: "bots" };
  const [head, botId, section, runId, ...rest] = parts;
  if (head !== "bots" || botId === undefined || rest.length > 0) return { page: "not-found", path };
  if (section === undefined || (section === "runs" && runId === undefined)) return { page: "runs", botId };
  if (section === "runs" && runId !== undefined) return { page: "run", botId, runId };
  if (runId !== undefined) return { page: "not-found", path };
  if (section === "workflow" || section === "documents" || section === "playground" || section === "statistics") {
    return { page: section, botId };
  }
  return { page: "not-found", path };
}

/** The hash of a route (ids encoded). */
export function routeHash(route: Exclude<Route, { page: "not-found" }>): string {
  if (route.page === "bots") return "#/bots";
  const bot = `#/bots/${encodeURIComponent(route.botId)}`;
  if (route.page === "run") return `${bot}/runs/${encodeURIComponent(route.runId)}`;
  return `${bot}/${route.page}`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
