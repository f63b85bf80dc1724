import { type FormEvent, useState } from "react";
import { ApiError } from "../api/api-error.ts";
import { type Identity, SignInError, signIn } from "../auth/sign-in.ts";

/** Sign-in with an API key; a refused key shows why, next to the field. */
export function SignInPage({ onSignedIn }: { readonly onSignedIn: (identity: Identity) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(key));
    } catch (e) {
      setError(
        e instanceof SignInError || e instanceof ApiError
          ? e.message
          : `Could not reach the API: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">Portflow console</h1>
        <p>Sign in with an API key. An admin key sees every bot; a bot key sees its own bot.</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="pf_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error !== null ? "sign-in-error" : "sign-in-help"}
          // biome-ignore lint/a11y/noAutofocus: the only field of the page
          autoFocus
        />
        <small id="sign-in-help">Kept in this tab only (sessionStorage) until you sign out or close it.</small>
        {error !== null && (
          <p id="sign-in-error" className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
