/**
 * Nodes and providers: LocalEmbedder throughput, chunking throughput, a 50-page PDF ingested end
 * to end on the local providers, and first-chunk latency of a streamed answer through the real
 * AWS SDK and the fake Bedrock server (HTTP/2 on 127.0.0.1).
 * Run alone: `tsx packages/nodes/bench/index.ts`.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { BedrockChatModel } from "../src/bedrock/bedrock-chat-model.ts";
import { createBedrockClient } from "../src/bedrock/bedrock-client.ts";
import { BedrockEmbedder } from "../src/bedrock/bedrock-embedder.ts";
import { ingestDocument } from "../src/ingest/ingest-document.ts";
import { splitText } from "../src/ingest/recursive-text-splitter.ts";
import { LocalChatModel } from "../src/local/local-chat-model.ts";
import { LocalEmbedder } from "../src/local/local-embedder.ts";
import { PythonSandbox } from "../src/sandbox/python-sandbox.ts";
import { QuickJsSandbox } from "../src/sandbox/quickjs-sandbox.ts";
import { startFakeBedrock } from "../src/testing/fake-bedrock.ts";
import { fakeBedrockClientOptions } from "../src/testing/fake-bedrock-config.ts";
import { InMemoryDocumentRecords } from "../src/testing/in-memory-document-records.ts";
import { InMemoryVectorStore } from "../src/testing/in-memory-vector-store.ts";
import { makePdf, pageText } from "../test/document-fixtures.ts";

export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return percentile(sorted, 0.5);
}

async function localEmbedderThroughput(): Promise<BenchRow> {
  const embedder = new LocalEmbedder();
  const texts = Array.from({ length: 2_000 }, (_, i) => pageText(i, 90).slice(0, 600));
  await embedder.embed(texts.slice(0, 200));
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i += 32) await embedder.embed(texts.slice(i, i + 32));
    rates.push(texts.length / ((performance.now() - t0) / 1000));
  }
  return {
    group: "nodes",
    name: "LocalEmbedder throughput",
    value: median(rates),
    unit: "texts/s",
    note: "1024-d, ~600-char chunks, batches of 32",
  };
}

function chunkingThroughput(): BenchRow {
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < 4 * 1024 * 1024; n++) {
    const page = pageText(n, 400);
    parts.push(page);
    size += page.length;
  }
  const text = parts.join("\n\n");
  const mb = Buffer.byteLength(text) / (1024 * 1024);
  splitText(text.slice(0, 200_000), { chunkSize: 1000, chunkOverlap: 150 });
  const rates: number[] = [];
  let chunks = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    chunks = splitText(text, { chunkSize: 1000, chunkOverlap: 150 }).length;
    rates.push(mb / ((performance.now() - t0) / 1000));
  }
  return {
    group: "nodes",
    name: "recursive chunking throughput",
    value: median(rates),
    unit: "MB/s",
    note: `${mb.toFixed(1)} MB of prose → ${chunks.toLocaleString("en")} chunks (1000/150 chars)`,
  };
}

async function pdfIngest(): Promise<BenchRow[]> {
  const bytes = await makePdf(Array.from({ length: 50 }, (_, i) => pageText(i + 1, 420)));
  const embedder = new LocalEmbedder();
  const times: number[] = [];
  let chunkCount = 0;
  for (let round = 0; round < 3; round++) {
    const store = new InMemoryVectorStore();
    const t0 = performance.now();
    const result = await ingestDocument({
      botId: `bench-${round}`,
      file: { filename: "policies.pdf", bytes },
      embedder,
      store,
      documents: new InMemoryDocumentRecords(),
    });
    times.push((performance.now() - t0) / 1000);
    chunkCount = result.chunkCount;
  }
  return [
    {
      group: "nodes",
      name: "50-page PDF ingest, end to end (local providers)",
      value: median(times),
      unit: "s",
      note: `${(bytes.byteLength / 1024).toFixed(0)} KiB PDF, ${chunkCount} chunks; parse + chunk + embed + store in memory; median of 3`,
    },
  ];
}

async function streamingLatency(): Promise<BenchRow[]> {
  const answer = "Refunds are processed within five business days [1]. ".repeat(8);
  const fake = await startFakeBedrock({ reply: () => ({ text: answer }), deltaSize: 12 });
  const client = createBedrockClient(fakeBedrockClientOptions(fake));
  try {
    const model = new BedrockChatModel({ client });
    const request = {
      system: "Be brief.",
      messages: [{ role: "user" as const, content: "How long do refunds take?" }],
    };
    const first: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < 220; i++) {
      const t0 = performance.now();
      let firstAt: number | undefined;
      await model.chat(request, {
        onText: () => {
          firstAt ??= performance.now();
        },
      });
      if (i >= 20) {
        first.push((firstAt ?? Number.NaN) - t0);
        total.push(performance.now() - t0);
      }
    }
    first.sort((a, b) => a - b);
    total.sort((a, b) => a - b);

    const embedder = new BedrockEmbedder({ client, concurrency: 4 });
    const texts = Array.from({ length: 400 }, (_, i) => pageText(i, 60));
    await embedder.embed(texts.slice(0, 40));
    const t0 = performance.now();
    await embedder.embed(texts);
    const embedRate = texts.length / ((performance.now() - t0) / 1000);

    const local = new LocalChatModel();
    const localFirst: number[] = [];
    const context = "[1] (faq.pdf p.3) Refunds are processed within five business days.\n\nQuestion: refunds?";
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      let at: number | undefined;
      await local.chat(
        { messages: [{ role: "user", content: context }] },
        { onText: () => (at ??= performance.now()) },
      );
      localFirst.push((at ?? Number.NaN) - s);
    }
    return [
      {
        group: "nodes",
        name: "streaming first-chunk latency, p50 (SDK → fake Bedrock, HTTP/2)",
        value: percentile(first, 0.5),
        unit: "ms",
        note: `p95 ${percentile(first, 0.95).toFixed(2)} ms; whole stream p50 ${percentile(total, 0.5).toFixed(2)} ms (${Math.ceil(answer.length / 12)} deltas); 200 calls, SigV4 signing included`,
      },
      {
        group: "nodes",
        name: "Titan embeddings through the SDK against the fake",
        value: embedRate,
        unit: "texts/s",
        note: "one InvokeModel per text, concurrency 4: client-side overhead only",
      },
      {
        group: "nodes",
        name: "LocalChatModel first-chunk latency, p50",
        value: median(localFirst),
        unit: "ms",
      },
    ];
  } finally {
    client.destroy();
    await fake.close();
  }
}

/** Resident memory of a process, from /proc (Linux), in MiB. */
function rssMiB(pid: number | "self"): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function warmCalls(count: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function sandboxes(): Promise<BenchRow[]> {
  const limits = { time_ms: 5_000, memory_mb: 64 };
  const signal = new AbortController().signal;
  const inputsJson = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ name: `item ${i}`, price: i })) });

  const rssBefore = rssMiB("self");
  const quickjs = new QuickJsSandbox({ workers: 1 });
  await quickjs.warmUp();
  const js = await warmCalls(300, () =>
    quickjs.run(
      {
        kind: "code",
        source: "function main({items}) { return { total: items.reduce((s, i) => s + i.price, 0) }; }",
        inputsJson,
        limits,
      },
      signal,
    ),
  );
  const jinja = await warmCalls(100, () =>
    quickjs.run(
      {
        kind: "template",
        source: "{% for i in items %}{{ i.name | upper }}: {{ i.price }}\n{% endfor %}",
        inputsJson,
        limits,
      },
      signal,
    ),
  );
  const quickjsRss = rssMiB("self") - rssBefore;
  await quickjs.close();

  const python = new PythonSandbox();
  const t0 = performance.now();
  await python.warmUp();
  const coldMs = performance.now() - t0;
  const py = await warmCalls(200, () =>
    python.run(
      { code: "def main(items):\n    return {'total': sum(i['price'] for i in items)}", inputsJson, limits },
      signal,
    ),
  );
  const pythonRss = python.pid ? rssMiB(python.pid) : Number.NaN;
  python.close();

  return [
    {
      group: "nodes",
      name: "code node, JavaScript (QuickJS) warm call p50",
      value: percentile(js, 0.5),
      unit: "ms",
      note: `p95 ${percentile(js, 0.95).toFixed(2)} ms; fresh runtime + context per call, worker thread round trip; 300 calls`,
    },
    {
      group: "nodes",
      name: "template-transform (Jinja in QuickJS) warm call p50",
      value: percentile(jinja, 0.5),
      unit: "ms",
      note: `p95 ${percentile(jinja, 0.95).toFixed(2)} ms; evaluates the 55 KB Jinja bundle in each fresh context; 100 calls`,
    },
    {
      group: "nodes",
      name: "code node, Python (Pyodide) warm call p50",
      value: percentile(py, 0.5),
      unit: "ms",
      note: `p95 ${percentile(py, 0.95).toFixed(2)} ms; child process round trip and state check included; 200 calls`,
    },
    {
      group: "nodes",
      name: "Python sandbox cold load (spawn + Pyodide)",
      value: coldMs,
      unit: "ms",
      note: "once per process, and again after a timeout, cancel or state change",
    },
    {
      group: "nodes",
      name: "memory: QuickJS worker (host RSS delta)",
      value: quickjsRss,
      unit: "MiB",
      note: "one worker thread after the calls above",
    },
    {
      group: "nodes",
      name: "memory: Pyodide child process RSS",
      value: pythonRss,
      unit: "MiB",
      note: "after load and the calls above; separate process",
    },
  ];
}

/** The nodes package's benchmark rows. */
export default async function bench(): Promise<BenchRow[]> {
  return [
    await localEmbedderThroughput(),
    chunkingThroughput(),
    ...(await pdfIngest()),
    ...(await streamingLatency()),
    ...(await sandboxes()),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = performance.now();
  console.table(await bench());
  console.log(`nodes benchmark took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
