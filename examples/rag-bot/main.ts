/**
 * `pnpm demo`: the Northwind support bot on Portflow. Offline on local providers by default;
 * with LLM_PROVIDER=bedrock and AWS_REGION (and AWS credentials) it uses Amazon Bedrock.
 * Data lives in PORTFLOW_DATA_DIR (default ./.portflow-demo) or DATABASE_URL.
 */
import { providerConfigFromEnv, sourceLabel } from "@portflow/nodes";
import { setUpDemoBot, sourcesOf } from "./rag-bot.ts";

const QUESTIONS = ["How many days do I have to return a bike?", "Is my e-bike battery covered if it loses capacity?"];

const out = (line = "") => process.stdout.write(`${line}\n`);
const dataDir = process.env.PORTFLOW_DATA_DIR ?? "./.portflow-demo";

const bot = await setUpDemoBot({
  providers: providerConfigFromEnv(process.env),
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  dataDir,
  onText: (delta) => process.stdout.write(delta),
});
try {
  out(
    `Portflow demo — ${bot.provider === "local" ? "offline local providers (set LLM_PROVIDER=bedrock and AWS_REGION for Amazon Bedrock)" : "Amazon Bedrock"}`,
  );
  out(`Database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${dataDir}`}`);
  out(`Bot ${bot.botId}`);
  for (const { result } of bot.ingested) out(`  ${result.message}`);
  out(`Workflow examples/rag-bot/workflow.json saved as draft and published as version ${bot.versionNumber}`);

  for (const question of QUESTIONS) {
    process.stdout.write(`\nQ: ${question}\nA: `);
    const { result, recorded } = await bot.ask(question);
    out();
    if (result.status !== "succeeded") out(`run ${result.status}: ${result.error?.message ?? ""}`);
    out("Sources:");
    for (const [i, doc] of sourcesOf(result).entries()) {
      out(`  [${i + 1}] ${sourceLabel(doc)}  score ${doc.score.toFixed(3)}`);
    }
    out(
      `Recorded run ${recorded.id}: ${recorded.status}, ${recorded.totalSteps} steps, ${(recorded.elapsedMs ?? 0).toFixed(1)} ms`,
    );
    out(
      `  ${"node".padEnd(10)} ${"type".padEnd(10)} ${"status".padEnd(10)} ${"ms".padStart(8)} ${"tokens in/out".padStart(14)}`,
    );
    for (const node of recorded.nodes) {
      const tokens = `${node.tokens.input}/${node.tokens.output}`;
      out(
        `  ${node.nodeId.padEnd(10)} ${node.nodeType.padEnd(10)} ${node.status.padEnd(10)} ${node.elapsedMs.toFixed(2).padStart(8)} ${tokens.padStart(14)}`,
      );
    }
  }
} finally {
  await bot.close();
}
