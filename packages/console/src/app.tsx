import { useEffect, useState } from "react";
import { clearSessionKey, readSessionKey, writeSessionKey } from "./auth/session-key.ts";
import { type Identity, signIn } from "./auth/sign-in.ts";
import { ErrorState } from "./components/error-state.tsx";
import { LoadingState } from "./components/loading-state.tsx";
import { BotLayout } from "./pages/bot-layout.tsx";
import { BotsPage } from "./pages/bots-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { routeHash } from "./routing/parse-route.ts";
import { useRoute } from "./routing/use-route.ts";

/** The console: sign-in until a key is accepted, then the page the URL's hash names. */
export function App() {
  const [identity, setIdentity] = useState<Identity | null>(null);
  // a key kept for this tab is checked again on reload (it may have been revoked)
  const [restoring, setRestoring] = useState(() => readSessionKey() !== null);
  const route = useRoute();

  useEffect(() => {
    const key = readSessionKey();
    if (key === null) return;
    signIn(key)
      .then(setIdentity, () => clearSessionKey())
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <LoadingState what="your session" />;
  if (identity === null) {
    return (
      <SignInPage
        onSignedIn={(id) => {
          writeSessionKey(id.key);
          setIdentity(id);
        }}
      />
    );
  }
  const signOut = () => {
    clearSessionKey();
    setIdentity(null);
  };
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={routeHash({ page: "bots" })}>
          Portflow console
        </a>
        <span className="who" data-testid="who">
          {identity.scope === "admin" ? "admin key: every bot" : `bot key: ${identity.botId ?? "no bot"}`}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main className="content">
        {route.page === "bots" && <BotsPage identity={identity} />}
        {route.page === "not-found" && (
          <ErrorState error={new Error(`No console page at “${route.path}”. Go back to the bots list.`)} />
        )}
        {route.page !== "bots" && route.page !== "not-found" && <BotLayout identity={identity} route={route} />}
      </main>
    </div>
  );
}
