/** `each #2` for a node run in round 2 of container `each`; empty at the top level. */
export function roundLabel(parentNodeId: string | null | undefined, iterationIndex: number | null | undefined): string {
  if (parentNodeId === null || parentNodeId === undefined) return "";
  return `${parentNodeId} #${iterationIndex ?? 0}`;
}
