/**
 * The default `PORTFLOW_INSTANCE_ID`: who this server is across restarts, so its runs left
 * `running` by a crash can be swept as soon as it starts again.
 * @module
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";

/** Where a server runs, as far as its identity goes. */
export interface InstanceLocation {
  readonly hostname: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly port: number;
}

/** The database as an identity: server and database of a URL (no credentials), or the data directory's path. */
function databaseIdentity(location: InstanceLocation): string | undefined {
  if (location.databaseUrl !== undefined) {
    try {
      const url = new URL(location.databaseUrl);
      return `${url.host}${url.pathname}`;
    } catch {
      return location.databaseUrl; // only hashed, never shown
    }
  }
  if (location.dataDir.startsWith("memory://")) return undefined; // a fresh database every start
  return resolve(location.dataDir);
}

/**
 * `<hostname>-<hash of database and port>`, or undefined when the location names no stable
 * identity (port 0, an in-memory database): then only the lease tells when runs were abandoned.
 *
 * @example
 * defaultInstanceId({ hostname: "web-1", databaseUrl: "postgres://db/portflow", dataDir: "./.portflow", port: 8001 });
 * // "web-1-3f0c…"
 */
export function defaultInstanceId(location: InstanceLocation): string | undefined {
  const database = databaseIdentity(location);
  if (location.port === 0 || database === undefined) return undefined;
  const digest = createHash("sha256").update(`${database}|${location.port}`).digest("hex").slice(0, 12);
  const host = location.hostname.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63) || "host";
  return `${host}-${digest}`;
}
