import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What a user outside this monorepo gets: `pnpm pack` tarballs (of the build the global setup made),
// unpacked into a plain Node project's node_modules with their dependencies taken from the
// workspace's store (this machine is offline), then imported with plain `node` and compiled with `tsc`.
const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const PACKAGES = ["engine", "nodes", "storage", "dify", "server"] as const;
const TSC = join(root, "node_modules/typescript/bin/tsc");

let dir: string;
let consumer: string;
const tarballs = new Map<string, string>();

/** Entries of a tarball, without the `package/` prefix. */
async function entries(tarball: string): Promise<string[]> {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""));
}

/** `pnpm pack` of a package, into `dir`. */
async function pack(pkg: string): Promise<string> {
  const { stdout } = await run("pnpm", ["pack", "--pack-destination", dir], { cwd: join(root, "packages", pkg) });
  const tarball = stdout
    .split("\n")
    .map((line) => line.trim())
    .findLast((line) => line.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`pnpm pack printed no tarball: ${stdout}`);
  return resolve(dir, tarball);
}

/** Unpacks a tarball as node_modules/@portflow/<pkg>, and links the package's own dependencies beside it. */
async function install(pkg: string, tarball: string): Promise<void> {
  const target = join(consumer, "node_modules/@portflow", pkg);
  mkdirSync(target, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
  const deps = join(root, "packages", pkg, "node_modules");
  for (const scopeOrName of readdirSync(deps)) {
    if (scopeOrName === ".bin" || scopeOrName === "@portflow") continue;
    const names = scopeOrName.startsWith("@")
      ? readdirSync(join(deps, scopeOrName)).map((n) => `${scopeOrName}/${n}`)
      : [scopeOrName];
    for (const name of names) {
      const link = join(consumer, "node_modules", name);
      if (existsSync(link)) continue;
      mkdirSync(resolve(link, ".."), { recursive: true });
      symlinkSync(realpathSync(join(deps, name)), link);
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-pack-"));
  consumer = join(dir, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  for (const pkg of PACKAGES) tarballs.set(pkg, await pack(pkg));
  for (const pkg of PACKAGES) await install(pkg, tarballs.get(pkg) as string);
  // for the tsc consumer
  symlinkSync(realpathSync(join(root, "node_modules/@types/node")), join(consumer, "node_modules/@types/node"));
}, 300_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

const ENGINE_EXAMPLE = `import { NodeRegistryV2, registerBuiltinNodes, WorkflowExecutorV2 } from "@portflow/engine";

const executor = new WorkflowExecutorV2(registerBuiltinNodes(new NodeRegistryV2()));
const result = await executor.run(
  {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "name", type: "string", required: true }] } },
      {
        id: "greet",
        type: "template",
        config: { template: "Hello, {{name}}!" },
        variable_mappings: [{ target_port: "name", selector: ["start", "name"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "greeting", selector: ["greet", "text"] }] },
    ],
    edges: [
      { source: "start", target: "greet" },
      { source: "greet", target: "end" },
    ],
  },
  { name: "Ada" },
);
console.log(result.status, result.outputs.greeting);
`;

describe("the packed packages, outside the monorepo", { timeout: 180_000 }, () => {
  it("ship the build, a README and the license; no sources, tests or benches", async () => {
    for (const pkg of PACKAGES) {
      const files = await entries(tarballs.get(pkg) as string);
      expect(files).toEqual(
        expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]),
      );
      const outside = files.filter(
        (f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f),
      );
      expect(outside.filter((f) => !(pkg === "server" && f === "bin/portflow.js"))).toEqual([]);
      expect(files.filter((f) => /\.test\.|bench\/|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    }
  });

  it("imports @portflow/engine with plain node and runs a workflow", async () => {
    writeFileSync(join(consumer, "engine-example.js"), ENGINE_EXAMPLE);
    const { stdout } = await run(process.execPath, ["engine-example.js"], { cwd: consumer });
    expect(stdout).toBe("succeeded Hello, Ada!\n");
  });

  it("compiles a TypeScript consumer against the packed declarations", async () => {
    writeFileSync(
      join(consumer, "engine-example.ts"),
      `${ENGINE_EXAMPLE}\nimport type { RunResult, WorkflowV2Json } from "@portflow/engine";\nexport const typed: RunResult = result;\nexport const none: WorkflowV2Json | undefined = undefined;\n`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          types: ["node"],
        },
        files: ["engine-example.ts"],
      }),
    );
    const compiled = await run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: consumer }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(compiled).toBe("");
  });

  it("runs the packed portflow bin with plain node", async () => {
    const bin = join(consumer, "node_modules/@portflow/server/bin/portflow.js");
    expect((await run(process.execPath, [bin, "--version"], { cwd: consumer })).stdout).toBe("0.1.0\n");
    const nodes = await run(process.execPath, [bin, "nodes", "list", "--json"], { cwd: consumer });
    expect((JSON.parse(nodes.stdout) as { type: string }[]).map((t) => t.type)).toContain("llm");
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", 'const s = await import("@portflow/server"); console.log(typeof s.startServer);'],
      { cwd: consumer },
    );
    expect(stdout).toBe("function\n");
  });
});
