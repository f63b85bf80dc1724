/**
 * `pnpm bench`: runs every package's benchmark (packages/<name>/bench/index.ts, default export
 * returning rows) one after another and prints one table. `BENCH=engine,storage` picks packages.
 */
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const root = resolve(import.meta.dirname, "..");
const packages = ["engine", "nodes", "storage", "dify", "server"];
const only = process.env.BENCH?.split(",");

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const rows: BenchRow[] = [];
for (const pkg of packages) {
  if (only && !only.includes(pkg)) continue;
  const file = join(root, "packages", pkg, "bench", "index.ts");
  if (!existsSync(file)) continue;
  process.stderr.write(`running ${pkg} benchmark…\n`);
  const started = performance.now();
  const module = (await import(pathToFileURL(file).href)) as { default: () => Promise<BenchRow[]> };
  try {
    rows.push(...(await module.default()));
  } catch (error) {
    rows.push({ group: pkg, name: "benchmark failed", value: Number.NaN, unit: "", note: String(error) });
  }
  process.stderr.write(`  ${pkg}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const header = ["package", "measure", "value", "unit", "note"];
const table = [header, ...rows.map((r) => [r.group, r.name, format(r.value), r.unit, r.note ?? ""])];
const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] ?? "").length)));
const line = (row: string[]) =>
  `| ${row.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(" | ")} |`;
console.log(
  `\nPortflow benchmarks — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);
console.log(line(header));
console.log(`|${widths.map((w, c) => (c === 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
for (const row of table.slice(1)) console.log(line(row));
process.exit(0);
