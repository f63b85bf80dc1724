import type { RunRecorder } from "@portflow/engine";
import { withFileMetadata } from "@portflow/nodes";

/**
 * A RunRecorder that records files by their metadata (name, type, size, SHA-256), never their
 * bytes: a chat's attachments show in the run's inputs and the node records without the
 * megabytes of base64 they arrived as.
 *
 * @example
 * scope.register(Services.RunRecorder, fileMetadataRecorder(scope.resolve(Services.RunRecorder)));
 */
export function fileMetadataRecorder(inner: RunRecorder): RunRecorder {
  return {
    runStarted: (run) => inner.runStarted({ ...run, inputs: withFileMetadata(run.inputs) }),
    nodeFinished: (node) =>
      inner.nodeFinished({ ...node, inputs: withFileMetadata(node.inputs), outputs: withFileMetadata(node.outputs) }),
    runFinished: (run) => inner.runFinished({ ...run, outputs: withFileMetadata(run.outputs) }),
    ...(inner.writeMany !== undefined && {
      writeMany: (writes) =>
        (inner.writeMany as NonNullable<RunRecorder["writeMany"]>)(
          writes.map((w) =>
            w.kind === "node"
              ? {
                  kind: "node",
                  node: {
                    ...w.node,
                    inputs: withFileMetadata(w.node.inputs),
                    outputs: withFileMetadata(w.node.outputs),
                  },
                }
              : { kind: "finish", run: { ...w.run, outputs: withFileMetadata(w.run.outputs) } },
          ),
        ),
    }),
  };
}
