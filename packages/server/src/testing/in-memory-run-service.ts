/**
 * A `RunService` as the server builds one for inline execution (the real node registry, executor
 * and run recorder), on an embedded in-memory database: for tests of submit and execute.
 * @module
 */
import { ServiceContainer, Services, validateWorkflow, WorkflowExecutorV2 } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { countStatements, type StatementCounter } from "@portflow/storage/testing";
import { RunService, type RunServiceStorage } from "../run-service.ts";
import { RunTracker } from "../run-tracker.ts";
import { WorkflowRunner } from "../workflow-runner.ts";

export interface InMemoryRunService {
  /** The whole storage (what the service sees is `options.storage`'s view of it, if given). */
  readonly storage: Storage;
  readonly service: RunService;
  /** Counts the statements the storage runs (what a call reads). */
  readonly statements: StatementCounter;
}

/**
 * Opens in-memory storage (or the PostgreSQL at `options.databaseUrl`) and a RunService over it;
 * the caller closes `storage`.
 * @param options.storage the storage the service is given, made from the real one (for example
 *   to note its reads, {@link notingRowReads}); default the real storage
 *
 * @example
 * const { storage, service } = await openInMemoryRunService();
 * const runId = await service.submit(spec);
 */
export async function openInMemoryRunService(
  options: { readonly storage?: (storage: Storage) => RunServiceStorage; readonly databaseUrl?: string } = {},
): Promise<InMemoryRunService> {
  const registry = createNodeRegistry();
  const where = options.databaseUrl === undefined ? { dataDir: "memory://" } : { databaseUrl: options.databaseUrl };
  const statements = countStatements(await openDatabase({ ...where, embeddingDimensions: 8 }));
  const storage = createStorage(statements.database, { validate: (json) => validateWorkflow(json, registry) });
  const services = new ServiceContainer().register(Services.RunRecorder, storage.recorder);
  const service = new RunService(
    new WorkflowRunner(new WorkflowExecutorV2(registry, { services }), new RunTracker()),
    options.storage?.(storage) ?? storage,
  );
  return { storage, service, statements };
}

/** The real storage with every read of a run's row (`runSpecs.get`) noted in `reads`, by run id. */
export function notingRowReads(reads: string[]): (storage: Storage) => RunServiceStorage {
  return (storage) => {
    const { runSpecs } = storage;
    return {
      ...storage,
      runSpecs: {
        submit: (run, options) => runSpecs.submit(run, options),
        get: (runId, options) => {
          reads.push(runId);
          return runSpecs.get(runId, options);
        },
        recordedNodes: (runId, options) => runSpecs.recordedNodes(runId, options),
        finishQueued: (runId, outcome) => runSpecs.finishQueued(runId, outcome),
      },
    };
  };
}
