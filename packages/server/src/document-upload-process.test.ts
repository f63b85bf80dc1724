/**
 * A real server process (embedded PGlite in a temp data dir) fed a DOCX zip bomb and a DOCX that
 * needs more heap than the parse worker has: it answers 413 and 422 naming the limits, stays up,
 * and its RSS stays within the bound the README documents (idle + PORTFLOW_PARSE_CONCURRENCY ×
 * (PORTFLOW_PARSE_MEMORY_MB + 256 MiB)).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDocxBomb } from "@portflow/nodes/testing/compression-bombs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./testing/server-process.ts";

const MiB = 1024 * 1024;
const ADMIN_KEY = "pf_upload_bomb_test_key_0001";
const PARSE_MEMORY_MB = 128;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

let dataDir: string;
let server: ServerProcess;
let botId: string;
let idleRss: number;

function rssOf(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

/** Uploads a file, sampling the server's RSS every 50 ms until the answer has arrived. */
async function uploadSampling(filename: string, bytes: Uint8Array) {
  const pid = server.child.pid as number;
  let peakRss = rssOf(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(pid));
  }, 50);
  try {
    const form = new FormData();
    form.append("file", new Blob([bytes]), filename);
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/documents/upload?bot_id=${botId}`, {
      method: "POST",
      headers: auth,
      body: form,
    });
    const body = (await res.json()) as { error?: { code: string; message: string; details?: unknown } };
    return { status: res.status, body, ms: performance.now() - started, peakRss: Math.max(peakRss, rssOf(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "portflow-upload-"));
  server = await startServerProcess({
    PORTFLOW_DATA_DIR: dataDir,
    PORTFLOW_ADMIN_KEY: ADMIN_KEY,
    LLM_PROVIDER: "local",
    PORTFLOW_PARSE_MEMORY_MB: String(PARSE_MEMORY_MB),
  });
  const res = await fetch(`${server.url}/api/v1/bots`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name: "uploads" }),
  });
  botId = ((await res.json()) as { id: string }).id;
  idleRss = rssOf(server.child.pid as number);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe("a server process fed oversized documents", () => {
  const bound = () => idleRss + (PARSE_MEMORY_MB + 256) * MiB;

  it("answers a 1 MB DOCX that inflates to 300 MiB with 413 naming the limit, within its RSS bound, and stays healthy", async () => {
    const bomb = makeDocxBomb(300 * MiB);
    expect(bomb.bytes.byteLength).toBeLessThan(1.5 * MiB);
    const res = await uploadSampling("bomb.docx", bomb.bytes);
    expect(res.status).toBe(413);
    expect(res.body.error?.message).toMatch(/more than the limit of 8 MiB \(PORTFLOW_MAX_DOCX_XML_BYTES\)$/);
    expect(res.peakRss).toBeLessThan(bound());
    expect(res.ms).toBeLessThan(10_000);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);

  it("answers 422 naming PORTFLOW_PARSE_MEMORY_MB when a DOCX needs more heap than the parse worker has, within its RSS bound", async () => {
    // 4 MiB of paragraphs: within the archive limits, ~300 MiB of heap for mammoth
    const res = await uploadSampling("heavy.docx", makeDocxBomb(4 * MiB).bytes);
    expect(res.status).toBe(422);
    expect(res.body.error?.message).toBe(
      `heavy.docx: parsing needed more memory than the limit of ${PARSE_MEMORY_MB} MiB (PORTFLOW_PARSE_MEMORY_MB)`,
    );
    expect(res.peakRss).toBeLessThan(bound());
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);

  it("still ingests a normal upload afterwards", async () => {
    const res = await uploadSampling("fine.docx", makeDocxBomb(16 * 1024).bytes);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ filename: "fine.docx", status: "ready" });
  }, 60_000);
});
