/** A labelled placeholder while something loads (announced to screen readers). */
export function LoadingState({ what }: { readonly what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}
