/**
 * A real PostgreSQL without pgvector: opening the database stops with the "install pgvector"
 * message, not a stack trace from CREATE EXTENSION. The server is a relocated copy of the
 * installed PostgreSQL (it finds its share directory relative to its binaries) minus pgvector.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "./open-database.ts";
import { PgvectorMissingError } from "./storage-error.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// PostgreSQL 15 (Debian 12) or the newest installed major (Debian 13 installs 17).
const majors = existsSync("/usr/lib/postgresql")
  ? readdirSync("/usr/lib/postgresql").filter(
      (m) => existsSync(`/usr/lib/postgresql/${m}/bin/initdb`) && existsSync(`/usr/share/postgresql/${m}`),
    )
  : [];
const MAJOR = majors.includes("15") ? "15" : majors.sort((a, b) => Number(b) - Number(a))[0];
const installed = MAJOR !== undefined;
const root = mkdtempSync(join(tmpdir(), "portflow-no-pgvector-"));

function copyWithoutPgvector(major: string): string {
  chmodSync(root, 0o755);
  for (const part of ["lib", "share"]) {
    mkdirSync(join(root, "usr", part, "postgresql"), { recursive: true });
    cpSync(`/usr/${part}/postgresql/${major}`, join(root, "usr", part, "postgresql", major), { recursive: true });
  }
  const extensions = join(root, "usr", "share", "postgresql", major, "extension");
  for (const file of readdirSync(extensions)) if (file.startsWith("vector")) rmSync(join(extensions, file));
  return join(root, "usr", "lib", "postgresql", major, "bin");
}

const server =
  MAJOR !== undefined
    ? await startPostgresServer({ binDir: copyWithoutPgvector(MAJOR), requirePgvector: false })
    : undefined;
if (!installed) console.warn("notice: no PostgreSQL server binaries are installed; skipping the missing-pgvector test");

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

it.skipIf(server === undefined)(
  "refuses a server without pgvector with a message that says what to install",
  async () => {
    const opening = openDatabase({ databaseUrl: server!.url });
    await expect(opening).rejects.toBeInstanceOf(PgvectorMissingError);
    await expect(opening).rejects.toThrow(/pgvector is not installed on this PostgreSQL server: install pgvector/);
  },
);
