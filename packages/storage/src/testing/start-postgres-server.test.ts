import { afterEach, describe, expect, it, vi } from "vitest";
import { startPostgresServer } from "./start-postgres-server.ts";

describe("startPostgresServer without binaries", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("prints a notice and returns undefined so the caller can skip", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await startPostgresServer({ binDir: "/nonexistent/bin", required: false })).toBeUndefined();
    expect(warn.mock.calls[0]?.[0]).toMatch(/PostgreSQL test server unavailable: no initdb\/pg_ctl/);
  });

  it("throws a clear error when the server is required (CI)", async () => {
    await expect(startPostgresServer({ binDir: "/nonexistent/bin", required: true })).rejects.toThrow(
      /install-postgres\.sh/,
    );
  });
});
