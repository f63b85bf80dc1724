/**
 * Fails when a package imports upward (DESIGN.md order) or when source files form an import cycle.
 * Run by `pnpm lint`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const LAYERS: Record<string, readonly string[]> = {
  engine: [],
  nodes: ["engine"],
  storage: ["engine"],
  dify: ["engine"],
  server: ["engine", "nodes", "storage", "dify"],
};

const root = resolve(import.meta.dirname, "..");
const IMPORT = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const problems: string[] = [];
const graph = new Map<string, string[]>();

for (const [pkg, allowed] of Object.entries(LAYERS)) {
  const srcDir = join(root, "packages", pkg, "src");
  let files: string[];
  try {
    files = sourceFiles(srcDir);
  } catch {
    continue; // the package does not exist yet
  }
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const edges: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? "";
      const workspace = /^@portflow\/([a-z-]+)/.exec(spec);
      if (workspace) {
        const target = workspace[1] as string;
        if (target !== pkg && !allowed.includes(target)) {
          problems.push(`${relative(root, file)}: @portflow/${pkg} may not import @portflow/${target}`);
        }
      } else if (spec.startsWith(".") && !file.endsWith(".test.ts")) {
        edges.push(resolve(dirname(file), spec));
      }
    }
    graph.set(file, edges);
  }
}

// Depth-first search for a back edge among source files.
const state = new Map<string, "visiting" | "done">();
function visit(file: string, trail: string[]): void {
  if (state.get(file) === "done") return;
  if (state.get(file) === "visiting") {
    const cycle = trail.slice(trail.indexOf(file)).concat(file);
    problems.push(`import cycle: ${cycle.map((f) => relative(root, f)).join(" -> ")}`);
    return;
  }
  state.set(file, "visiting");
  for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
  state.set(file, "done");
}
for (const file of graph.keys()) visit(file, []);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`boundaries ok: ${graph.size} files, no upward imports, no cycles`);
