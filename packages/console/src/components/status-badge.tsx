/** A run or node status as a coloured badge (the colour is never the only cue: the word is shown). */
export function StatusBadge({ status }: { readonly status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}
