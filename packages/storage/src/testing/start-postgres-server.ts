import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** Major version of the server binaries. */
  readonly major: number;
  /** Creates another empty database on this server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server as an operator restarting it would (`pg_ctl stop -m fast`: sessions are
   * terminated with 57P01), keeping its data; `startAgain` brings it back on the same port.
   */
  stopServer(): Promise<void>;
  /** Starts a server stopped by `stopServer` again, on the same port and data directory. */
  startAgain(): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export interface StartPostgresServerOptions {
  /** Directory holding `initdb` and `pg_ctl`; default /usr/lib/postgresql/15/bin, else the newest installed. */
  readonly binDir?: string;
  /** Require pgvector (default true). */
  readonly requirePgvector?: boolean;
  /** Throw instead of returning undefined when binaries are missing (default: `process.env.CI === "true"`). */
  readonly required?: boolean;
  /** Extra server settings (`-c name=value`), e.g. `{ shared_buffers: "1GB" }`. */
  readonly settings?: Readonly<Record<string, string | number>>;
}

const POSTGRES_ROOT = "/usr/lib/postgresql";

function findBinDir(): string | undefined {
  const preferred = join(POSTGRES_ROOT, "15", "bin");
  if (existsSync(join(preferred, "initdb"))) return preferred;
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const majors = readdirSync(POSTGRES_ROOT)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(POSTGRES_ROOT, d, "bin", "initdb")))
    .map(Number)
    .sort((a, b) => b - a);
  return majors[0] === undefined ? undefined : join(POSTGRES_ROOT, String(majors[0]), "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throw-away PostgreSQL server (initdb + pg_ctl) on 127.0.0.1 and a random free port,
 * with its data in a temp directory, tuned for tests (no fsync). Running as root, the server
 * runs as the `postgres` user (initdb refuses root).
 *
 * When the binaries or pgvector are missing it prints a notice and returns undefined, so the
 * caller can skip; under `CI=true` it throws instead.
 *
 * @example
 * const server = await startPostgresServer();
 * if (server) { const db = await openDatabase({ databaseUrl: server.url }); ...; await server.stop(); }
 */
export async function startPostgresServer(
  options: StartPostgresServerOptions = {},
): Promise<PostgresServer | undefined> {
  const required = options.required ?? process.env.CI === "true";
  const binDir = options.binDir ?? findBinDir();
  const missing = (why: string): undefined => {
    const message = `PostgreSQL test server unavailable: ${why} (run scripts/ci/install-postgres.sh as root to install it)`;
    if (required) throw new Error(message);
    console.warn(`[notice] ${message}; skipping the tests that need it`);
    return undefined;
  };
  if (!binDir || !existsSync(join(binDir, "initdb")) || !existsSync(join(binDir, "pg_ctl"))) {
    return missing(`no initdb/pg_ctl under ${binDir ?? `${POSTGRES_ROOT}/*/bin`}`);
  }
  const major = Number(/postgresql\/(\d+)\//.exec(binDir)?.[1] ?? Number.NaN);
  if (options.requirePgvector !== false && Number.isFinite(major)) {
    const control = `/usr/share/postgresql/${major}/extension/vector.control`;
    if (!existsSync(control)) return missing(`pgvector is not installed for PostgreSQL ${major} (${control})`);
  }

  const isRoot = userInfo().uid === 0;
  const asServerUser = (command: string, args: string[]): [string, string[]] =>
    isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];

  const dir = mkdtempSync(join(tmpdir(), "portflow-pg-"));
  const dataDir = join(dir, "data");
  if (isRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const pgCtl = join(binDir, "pg_ctl");
  try {
    const [initCmd, initArgs] = asServerUser(join(binDir, "initdb"), [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await run(initCmd, initArgs);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as Error).message}`);
  }

  const startArgsFor = (port: number) => {
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=100",
      "-c shared_buffers=128MB",
      ...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`),
    ].join(" ");
    return asServerUser(pgCtl, [
      "-D",
      dataDir,
      "-o",
      serverOptions,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
  };
  let port = 0;
  let started = false;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const [startCmd, startArgs] = startArgsFor(port);
    try {
      await run(startCmd, startArgs);
      started = true;
    } catch (error) {
      lastError = error;
    }
  }
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(lastError as Error)?.message}`);
  }

  const [stopCmd, stopArgs] = asServerUser(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
  let stopped = false;
  /** Stopped by stopServer, data kept. */
  let down = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(stopCmd, stopArgs, { stdio: "ignore" });
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that exits without stop() must not leave a server behind.
  process.once("exit", stopSync);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const psql = join(binDir, "psql");
  return {
    url,
    port,
    major,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`invalid database name "${name}"`);
      await run(psql, [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-c",
        `CREATE DATABASE ${name}`,
      ]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stopServer() {
      const [fastCmd, fastArgs] = asServerUser(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      await run(fastCmd, fastArgs);
      down = true;
    },
    async startAgain() {
      const [startCmd, startArgs] = startArgsFor(port);
      await run(startCmd, startArgs);
      down = false;
    },
    async stop() {
      if (stopped) return;
      process.removeListener("exit", stopSync);
      stopped = true;
      try {
        if (!down) await run(stopCmd, stopArgs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
