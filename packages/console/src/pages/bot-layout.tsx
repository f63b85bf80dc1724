import { lazy, Suspense } from "react";
import type { Identity } from "../auth/sign-in.ts";
import { ErrorState } from "../components/error-state.tsx";
import { LoadingState } from "../components/loading-state.tsx";
import { useAsync } from "../components/use-async.ts";
import { type Route, routeHash } from "../routing/parse-route.ts";
import { RunsPage } from "./runs-page.tsx";

// The graph pages carry React Flow and dagre: loaded when first opened, not with the sign-in page.
const RunPage = lazy(() => import("./run-page.tsx").then((m) => ({ default: m.RunPage })));
const WorkflowPage = lazy(() => import("./workflow-page.tsx").then((m) => ({ default: m.WorkflowPage })));
const DocumentsPage = lazy(() => import("./documents-page.tsx").then((m) => ({ default: m.DocumentsPage })));
const StatisticsPage = lazy(() => import("./statistics-page.tsx").then((m) => ({ default: m.StatisticsPage })));
const PlaygroundPage = lazy(() => import("./playground-page.tsx").then((m) => ({ default: m.PlaygroundPage })));

type BotRoute = Extract<Route, { botId: string }>;

const TABS = [
  { page: "runs", label: "Runs" },
  { page: "workflow", label: "Workflow" },
  { page: "documents", label: "Documents" },
  { page: "playground", label: "Playground" },
  { page: "statistics", label: "Statistics" },
] as const;

/** One bot: its name, the tabs, and the page of the route. */
export function BotLayout({ identity, route }: { readonly identity: Identity; readonly route: BotRoute }) {
  const { botId } = route;
  const [bot, reload] = useAsync((signal) => identity.client.getBot(botId, signal), [identity, botId]);
  if (bot.status === "loading") return <LoadingState what="the bot" />;
  if (bot.status === "error") return <ErrorState error={bot.error} onRetry={reload} />;
  const current = route.page === "run" ? "runs" : route.page;
  return (
    <section aria-labelledby="bot-title">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={routeHash({ page: "bots" })}>Bots</a> / <span>{bot.data.name}</span>
      </nav>
      <h1 id="bot-title">{bot.data.name}</h1>
      <nav className="tabs" aria-label="Bot pages">
        {TABS.map((tab) => (
          <a
            key={tab.page}
            href={routeHash({ page: tab.page, botId })}
            aria-current={current === tab.page ? "page" : undefined}
          >
            {tab.label}
          </a>
        ))}
      </nav>
      <Suspense fallback={<LoadingState what="the page" />}>
        {route.page === "runs" && <RunsPage identity={identity} botId={botId} />}
        {route.page === "run" && <RunPage key={route.runId} identity={identity} botId={botId} runId={route.runId} />}
        {route.page === "workflow" && <WorkflowPage identity={identity} botId={botId} />}
        {route.page === "documents" && <DocumentsPage identity={identity} botId={botId} />}
        {route.page === "playground" && <PlaygroundPage identity={identity} botId={botId} />}
        {route.page === "statistics" && <StatisticsPage identity={identity} botId={botId} />}
      </Suspense>
    </section>
  );
}
