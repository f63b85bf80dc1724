/**
 * The `documents` value and its citable rendering are engine concepts (the executor renders
 * documents for `string` ports the same way); re-exported here where node authors look for them.
 * @module
 */
export { formatContext, isRetrievedDocumentArray, type RetrievedDocument, sourceLabel } from "@portflow/engine";
