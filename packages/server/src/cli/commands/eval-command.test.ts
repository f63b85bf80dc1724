import { readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/make-temp-dir.ts";
import { runCliInProcess, runCliOrThrow } from "../../testing/run-cli-in-process.ts";

interface Question {
  question: string;
  expected_document: string;
  expected_phrase: string;
}

const exampleDir = (name: string) => fileURLToPath(new URL(`../../../../../examples/${name}/`, import.meta.url));
const readQuestions = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Question[];

// The evaluation set shipped with the examples, ingested once through the real CLI.
const EXAMPLE = exampleDir("retrieval-eval");
const QUESTIONS = join(EXAMPLE, "questions.json");
const questions = readQuestions(QUESTIONS);
const normalise = (text: string) => text.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();

let dir: string;
let data: string;
let botId: string;

/** A shipped evaluation set in a bot of its own. */
interface EvalSet {
  readonly name: string;
  readonly bot: string;
  readonly file: string;
  readonly questions: readonly Question[];
}

const ingested = new Map<string, Promise<EvalSet>>();

async function ingestSet(name: string): Promise<EvalSet> {
  const root = exampleDir(name);
  const bot = (JSON.parse(await runCliOrThrow(data, "bots", "create", "--name", name, "--json")) as { id: string }).id;
  const documents = readdirSync(join(root, "documents")).map((f) => join(root, "documents", f));
  await runCliOrThrow(data, "ingest", "--bot", bot, ...documents);
  const file = join(root, "questions.json");
  return { name, bot, file, questions: readQuestions(file) };
}

/** The set `name` ingested through the CLI, once per file however many tests (or a `-t` filter) ask for it. */
function evalSet(name: string): Promise<EvalSet> {
  const known = ingested.get(name);
  if (known !== undefined) return known;
  const set = ingestSet(name);
  ingested.set(name, set);
  return set;
}

beforeAll(async () => {
  dir = await makeTempDir("portflow-eval-");
  data = join(dir, "data");
  const set = await evalSet("retrieval-eval");
  botId = set.bot;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  question: { question: string; expected_document: string; expected_phrase: string };
  retrieved: { filename: string; content: string; score: number }[];
  rank: number | null;
}

describe("portflow eval retrieval", () => {
  it("prints recall@1, recall@k and MRR for the example set, figures that agree with the chunks it returned", {
    timeout: 120_000,
  }, async () => {
    const json = await runCliOrThrow(data, "eval", "retrieval", "--bot", botId, "--questions", QUESTIONS, "--json");
    const result = JSON.parse(json) as {
      questions: number;
      k: number;
      recall_at_1: number;
      recall_at_k: number;
      mrr: number;
      outcomes: Outcome[];
    };
    expect(result.questions).toBe(questions.length);
    expect(result.k).toBe(5);
    // recompute every rank from the returned chunks, independently of the metric module
    const ranks = result.outcomes.map((o, i) => {
      expect(o.question.question).toBe(questions[i]?.question);
      expect(o.retrieved.length).toBeLessThanOrEqual(5);
      const index = o.retrieved.findIndex(
        (c) =>
          c.filename === o.question.expected_document &&
          normalise(c.content).includes(normalise(o.question.expected_phrase)),
      );
      return index === -1 ? null : index + 1;
    });
    expect(result.outcomes.map((o) => o.rank)).toEqual(ranks);
    const n = questions.length;
    expect(result.recall_at_1).toBeCloseTo(ranks.filter((r) => r === 1).length / n, 10);
    expect(result.recall_at_k).toBeCloseTo(ranks.filter((r) => r !== null).length / n, 10);
    expect(result.mrr).toBeCloseTo(ranks.reduce<number>((s, r) => s + (r === null ? 0 : 1 / r), 0) / n, 10);

    // the text report with k = 1: the same figures, and one miss row for each question the
    // JSON ranks say has no relevant chunk first
    const text = await runCliOrThrow(data, "eval", "retrieval", "--bot", botId, "--questions", QUESTIONS, "--k", "1");
    console.log(text);
    const hitsAt1 = Number(/^recall@1 {2}\d\.\d{3} {2}\((\d+)\/23\)$/m.exec(text)?.[1]);
    expect(hitsAt1).toBe(ranks.filter((r) => r === 1).length);
    const missed = questions.filter((q) => text.split("\n").some((line) => line.startsWith(`${q.question}  `)));
    expect(missed.map((q) => q.question)).toEqual(questions.filter((_, i) => ranks[i] !== 1).map((q) => q.question));
    expect(text).toContain(missed.length === 0 ? "misses: none in the top 1" : `misses (${missed.length}):`);
  });

  it("refuses a question file with a missing field, naming it, and an unknown search mode", {
    timeout: 60_000,
  }, async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify([{ question: "q", expected_document: "a.md" }]));
    const missing = await runCliInProcess(data, "eval", "retrieval", "--bot", botId, "--questions", bad);
    expect(missing.code).toBe(1);
    expect(missing.stderr.text).toMatch(/bad\.json: not a question list \(\[0\]\.expected_phrase: /);
    const mode = await runCliInProcess(
      data,
      "eval",
      "retrieval",
      "--bot",
      botId,
      "--questions",
      QUESTIONS,
      "--search",
      "fuzzy",
    );
    expect(mode.code).not.toBe(0);
    expect(mode.stderr.text).toMatch(/--search.*expected one of vector, keyword, hybrid/);
  });

  it("--search vector | keyword | hybrid on the three shipped sets: figures printed, hybrid meets the targets, at least as good as vector-only", {
    timeout: 600_000,
  }, async () => {
    const sets = [
      await evalSet("retrieval-eval"),
      await evalSet("retrieval-eval-mixed"),
      // the larger, harder set: 71 questions over 8 documents with look-alike sections
      await evalSet("retrieval-eval-ops"),
    ];
    const figures: Record<string, Record<string, { recall_at_k: number; mrr: number; search: string }>> = {};
    for (const set of sets) {
      figures[set.name] = {};
      for (const search of ["vector", "keyword", "hybrid"]) {
        const args = ["eval", "retrieval", "--bot", set.bot, "--questions", set.file, "--search", search, "--json"];
        const result = JSON.parse(await runCliOrThrow(data, ...args)) as {
          questions: number;
          recall_at_1: number;
          recall_at_k: number;
          mrr: number;
          search: string;
        };
        expect(result.search).toBe(search);
        figures[set.name]![search] = result;
        console.log(
          `${set.name} (${result.questions} q) · ${search.padEnd(7)} recall@1 ${result.recall_at_1.toFixed(3)}  recall@5 ${result.recall_at_k.toFixed(3)}  MRR ${result.mrr.toFixed(3)}`,
        );
      }
      const byMode = figures[set.name]!;
      expect(byMode.hybrid!.recall_at_k).toBeGreaterThanOrEqual(byMode.vector!.recall_at_k);
      // the targets for the default mode
      expect(byMode.hybrid!.recall_at_k).toBeGreaterThanOrEqual(0.95);
      expect(byMode.hybrid!.mrr).toBeGreaterThanOrEqual(0.8);
    }
    // on the harder set, where the hashing embedder misses answers, fusion must not rank worse than vectors alone
    const ops = figures["retrieval-eval-ops"]!;
    expect(ops.hybrid!.mrr).toBeGreaterThanOrEqual(ops.vector!.mrr);
    expect(ops.hybrid!.recall_at_k).toBeGreaterThan(ops.vector!.recall_at_k);
    // without --search the command evaluates what the knowledge node does by default: hybrid
    const byDefault = JSON.parse(
      await runCliOrThrow(data, "eval", "retrieval", "--bot", botId, "--questions", QUESTIONS, "--json"),
    ) as { search: string; mrr: number };
    expect(byDefault).toMatchObject({ search: "hybrid", mrr: figures["retrieval-eval"]!.hybrid!.mrr });
  });

  it("the offline model quotes the expected phrase through the example RAG workflow on the three shipped sets", {
    timeout: 300_000,
  }, async () => {
    // measured 23/23, 22/22 and 68/71 (20/23 on retrieval-eval before sentences were scored per
    // question word, heading, figure and rank; 6/23 before that): floors one answer under
    const floors = { "retrieval-eval": 22, "retrieval-eval-mixed": 21, "retrieval-eval-ops": 67 };
    const workflow = fileURLToPath(new URL("../../../../../examples/rag-bot/workflow.json", import.meta.url));
    const report: string[] = ["offline answers quoting the expected phrase (examples/rag-bot/workflow.json):"];
    const misses: string[] = [];
    const quotedBySet: Record<string, number> = {};
    for (const name of Object.keys(floors)) {
      const set = await evalSet(name);
      await runCliOrThrow(data, "workflow", "push", "--bot", set.bot, workflow);
      await runCliOrThrow(data, "workflow", "publish", "--bot", set.bot);
      let quoted = 0;
      for (const q of set.questions) {
        const run = JSON.parse(await runCliOrThrow(data, "run", "--bot", set.bot, q.question, "--json")) as {
          status: string;
          answer: string;
        };
        expect(run.status).toBe("succeeded");
        expect(run.answer).toMatch(/offline local model/i);
        if (normalise(run.answer).includes(normalise(q.expected_phrase))) quoted++;
        else misses.push(`  ${name}: ${q.question}\n    expected: ${q.expected_phrase}\n    answered: ${run.answer}`);
      }
      quotedBySet[name] = quoted;
      const n = set.questions.length;
      report.push(`  ${name.padEnd(21)} ${quoted}/${n} (${(quoted / n).toFixed(3)})`);
    }
    console.log([...report, misses.length === 0 ? "misses: none" : "misses:", ...misses].join("\n"));
    for (const [name, floor] of Object.entries(floors)) expect(quotedBySet[name]).toBeGreaterThanOrEqual(floor);
  });
});
