/**
 * The per-file progress bar of `portflow ingest` (cli-progress). On a terminal it redraws in
 * place; elsewhere (CI logs, pipes) it prints a line when a file starts, about once a second, and
 * when it ends.
 * @module
 */
import type { IngestProgress } from "@portflow/nodes/ingest";
import cliProgress from "cli-progress";

/** Share of the bar each stage ends at: embedding is the long part. */
const STAGE_END: Record<IngestProgress["stage"], number> = {
  parsing: 10,
  chunking: 15,
  embedding: 90,
  storing: 100,
  done: 100,
};
const STAGE_START: Record<IngestProgress["stage"], number> = {
  parsing: 0,
  chunking: 10,
  embedding: 15,
  storing: 90,
  done: 100,
};

function describe(progress: IngestProgress): string {
  switch (progress.stage) {
    case "parsing":
      return "parsing";
    case "chunking":
      return "chunking";
    case "embedding":
      return `embedding ${progress.done}/${progress.total} chunks`;
    case "storing":
      return `storing ${chunks(progress.total)}`;
    case "done":
      return `done: ${chunks(progress.total)}`;
  }
}

/** A progress bar for one file at a time. */
export class IngestProgressBar {
  readonly #bar: cliProgress.SingleBar;

  constructor(stream: NodeJS.WritableStream) {
    this.#bar = new cliProgress.SingleBar(
      {
        stream,
        format: "{file} [{bar}] {percentage}% | {detail}",
        barsize: 24,
        hideCursor: false,
        noTTYOutput: true,
        notTTYSchedule: 1_000,
        etaBuffer: 20,
        // Ctrl-C is handled by the command (it aborts the ingestion), not by the bar.
        gracefulExit: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(file: string): void {
    this.#bar.start(100, 0, { file, detail: "reading" });
  }

  update(progress: IngestProgress): void {
    const from = STAGE_START[progress.stage];
    const to = STAGE_END[progress.stage];
    const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
    this.#bar.update(Math.round(from + (to - from) * fraction), { detail: describe(progress) });
  }

  /** Ends the bar with a last word (`done: 12 chunks`, `failed`). */
  stop(detail: string): void {
    this.#bar.update(detail.startsWith("failed") ? this.#bar.getProgress() * 100 : 100, { detail });
    this.#bar.stop();
  }
}

function chunks(n: number): string {
  return `${n} chunk${n === 1 ? "" : "s"}`;
}
