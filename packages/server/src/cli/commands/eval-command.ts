import { retrieveChunks, SEARCH_MODES, type SearchMode } from "@portflow/nodes";
import { type Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { type EvalQuestion, type QuestionOutcome, retrievalMetrics } from "../../eval/retrieval-metrics.ts";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { parseCount } from "../parse-count.ts";
import { readJsonFile } from "../read-json-file.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

const questionsSchema = z
  .array(
    z.object({
      question: z.string().trim().min(1),
      expected_document: z.string().trim().min(1),
      expected_phrase: z.string().trim().min(1),
    }),
  )
  .min(1, "the file lists no questions");

function parseSearchMode(value: string): SearchMode {
  if (!(SEARCH_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SEARCH_MODES.join(", ")}`);
  }
  return value as SearchMode;
}

async function readQuestions(path: string): Promise<EvalQuestion[]> {
  const parsed = questionsSchema.safeParse(await readJsonFile(path));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `${where === "" ? "(file)" : where.replace(/^\./, "")}: ${issue.message}`;
  });
  throw new CliError(`${path}: not a question list (${problems.join("; ")})`);
}

function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function missRows(misses: readonly QuestionOutcome[]): string[][] {
  return misses.map((o) => {
    const top = o.retrieved[0];
    const sameDocument = o.retrieved.findIndex((c) => c.filename === o.question.expected_document);
    return [
      o.question.question,
      `${o.question.expected_document}: "${o.question.expected_phrase}"`,
      top ? `${top.filename} (${top.score.toFixed(3)}): ${excerpt(top.content)}` : "(nothing)",
      sameDocument === -1 ? "-" : `#${sameDocument + 1} without the phrase`,
    ];
  });
}

/** `portflow eval retrieval --bot ID --questions FILE.json [--k 5] [--search hybrid] [--json]`. */
export function registerEvalCommand(program: Command, session: CliSession): void {
  const evaluate = program.command("eval").description("evaluate a bot's retrieval on a question set");
  evaluate
    .command("retrieval")
    .description("recall@1, recall@k and MRR of a bot's document search over questions with known answers")
    .requiredOption("--bot <bot-id>", "the bot whose documents are searched")
    .requiredOption(
      "--questions <file>",
      "JSON array of {question, expected_document (filename), expected_phrase} objects",
    )
    .option("--k <n>", "how many chunks count (default 5)", parseCount)
    .option(
      "--search <mode>",
      `search mode, as the knowledge node's \`search\` (${SEARCH_MODES.join(", ")}; default hybrid)`,
      parseSearchMode,
    )
    .option("--json", "print the figures and every outcome as JSON")
    .action(async (options: { bot: string; questions: string; k?: number; search?: SearchMode; json?: boolean }) => {
      const questions = await readQuestions(options.questions);
      const k = options.k ?? 5;
      const search = options.search ?? "hybrid";
      const { storage, providers } = await session.context();
      const bot = await requireBot(storage, options.bot);
      const results = [];
      for (const question of questions) {
        // the knowledge node's defaults, no score threshold: a miss should show what came back instead
        const { chunks } = await retrieveChunks(
          { store: storage.vectors, embedder: providers.embedder },
          bot.id,
          question.question,
          { search, topK: k, scoreThreshold: -1 },
        );
        results.push({
          question,
          retrieved: chunks.map((c) => ({
            filename: typeof c.metadata.filename === "string" ? c.metadata.filename : c.documentId,
            content: c.content,
            score: c.score,
          })),
        });
      }
      const metrics = retrievalMetrics(results, k);
      if (options.json === true)
        return session.json({ bot_id: bot.id, search, embedding_model: providers.embedder.model, ...metrics });
      const misses = metrics.outcomes.filter((o) => o.rank === null);
      session.out(
        `${metrics.questions} questions · bot ${bot.id} · search ${search} · embeddings ${providers.embedder.model}`,
        `recall@1  ${metrics.recallAt1.toFixed(3)}  (${metrics.hitsAt1}/${metrics.questions})`,
        `recall@${k}  ${metrics.recallAtK.toFixed(3)}  (${metrics.hitsAtK}/${metrics.questions})`,
        `MRR       ${metrics.mrr.toFixed(3)}`,
      );
      if (misses.length === 0) return session.out(`misses: none in the top ${k}`);
      session.out(
        `misses (${misses.length}): no chunk of the expected document with the phrase in the top ${k}`,
        formatTable(
          [
            { header: "question" },
            { header: "expected" },
            { header: "top result instead" },
            { header: "expected document ranked" },
          ],
          missRows(misses),
        ),
      );
    });
}
