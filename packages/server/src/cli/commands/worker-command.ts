import type { Command } from "commander";
import { pino } from "pino";
import { pinoEngineLogger } from "../../pino-engine-logger.ts";
import { openRuntime } from "../../portflow-runtime.ts";
import { openRunQueue } from "../../queue/open-run-queue.ts";
import { RunWorker } from "../../queue/run-worker.ts";
import { RunService } from "../../run-service.ts";
import { RunTracker } from "../../run-tracker.ts";
import { WorkflowRunner } from "../../workflow-runner.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { parseCount } from "../parse-count.ts";

/** `portflow worker [--concurrency N]`: executes queued runs (PORTFLOW_EXECUTION=queue) until SIGTERM/SIGINT. */
export function registerWorkerCommand(program: Command, session: CliSession): void {
  program
    .command("worker")
    .description(
      "execute runs from the queue (needs REDIS_URL and DATABASE_URL; servers run with PORTFLOW_EXECUTION=queue)",
    )
    .option("--concurrency <n>", "runs executed at once (default 4)", parseCount)
    .action(async (options: { concurrency?: number }) => {
      const config = session.config;
      if (config.redisUrl === undefined || config.databaseUrl === undefined) {
        throw new CliError("portflow worker needs REDIS_URL and DATABASE_URL (the servers' queue and database)");
      }
      const log = pino({ level: config.logLevel, name: "portflow-worker" });
      const logger = pinoEngineLogger(log);
      const runtime = await openRuntime(config, { logger });
      const queue = openRunQueue(config.redisUrl);
      const runner = new WorkflowRunner(runtime.executor, new RunTracker(), (botId) => ({
        resolve: (names, o) => runtime.storage.botSecrets.resolve(botId, names, o),
      }));
      const runs = new RunService(runner, runtime.storage, { events: queue.events, logger });
      const worker = await RunWorker.start({
        redisUrl: config.redisUrl,
        runs,
        lockMs: config.execution.lockMs,
        logger,
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      });
      // One line a supervisor (or a test) can wait for.
      session.io.stdout.write(`${JSON.stringify({ worker: "ready", pid: process.pid })}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGTERM", resolve);
        process.once("SIGINT", resolve);
      });
      await worker.close();
      await queue.close();
      await runtime.close();
    });
}
