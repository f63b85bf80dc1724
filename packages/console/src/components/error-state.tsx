import { ApiError } from "../api/api-error.ts";

/** A failed load or action: the API's own message, and a retry when one makes sense. */
export function ErrorState({ error, onRetry }: { readonly error: Error; readonly onRetry?: () => void }) {
  const title = error instanceof ApiError ? `${error.status} ${error.code}` : "Something went wrong";
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {onRetry !== undefined && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
