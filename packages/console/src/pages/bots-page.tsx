import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatTime } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAsync } from "../components/use-async.ts";
import { routeHash } from "../routing/parse-route.ts";

/** Every bot the key can reach (admin: all; bot key: its bot). */
export function BotsPage({ identity }: { readonly identity: Identity }) {
  const [bots, reload] = useAsync((signal) => identity.client.listBots(signal), [identity]);
  return (
    <section aria-labelledby="bots-title">
      <h1 id="bots-title">Bots</h1>
      {bots.status === "loading" && <LoadingState what="bots" />}
      {bots.status === "error" && <ErrorState error={bots.error} onRetry={reload} />}
      {bots.status === "done" && bots.data.items.length === 0 && (
        <EmptyState title="No bots yet">
          Create one with <code>portflow bots create</code> or <code>POST /api/v1/bots</code>.
        </EmptyState>
      )}
      {bots.status === "done" && bots.data.items.length > 0 && (
        <table className="table" data-testid="bots-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Workflow</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {bots.data.items.map((bot) => (
              <tr key={bot.id}>
                <td>
                  <a href={routeHash({ page: "runs", botId: bot.id })}>{bot.name}</a>
                  <div className="muted mono">{bot.id}</div>
                </td>
                <td>
                  <StatusBadge status={bot.status} />
                </td>
                <td>
                  {bot.use_workflow_v2 ? "V2" : "V1"}
                  {bot.published_version_id === null ? ", nothing published" : ", published"}
                </td>
                <td>{formatTime(bot.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
