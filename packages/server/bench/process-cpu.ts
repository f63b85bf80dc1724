/**
 * CPU time spent per request, by this process and by a local PostgreSQL server's processes: a
 * figure that moves far less than latency when the machine's speed drifts or other work runs
 * beside the benchmark (it counts work done, not time waited).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Storage } from "@portflow/storage";

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds of the postmaster with PID `postmaster` and its children, from /proc (Linux). */
function processTreeCpuMs(postmaster: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // the process ended while we looked
    }
    // fields after the parenthesised command name: state, ppid, …, utime (12th), stime (13th)
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(entry) !== postmaster && Number(fields[1]) !== postmaster) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Reads CPU used so far: this process, and the database server when it is a local PostgreSQL. */
export type CpuMeter = () => { readonly processMs: number; readonly databaseMs: number | undefined };

/** A meter for this process and, on a PostgreSQL server on this machine, its processes. */
export async function cpuMeter(storage: Storage): Promise<CpuMeter> {
  let postmaster: number | undefined;
  if (storage.database.dialect === "postgres" && process.platform === "linux") {
    try {
      const rows = await storage.database.withRawTransaction((session) =>
        session.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir"),
      );
      const dir = rows[0]?.dir;
      if (dir !== undefined) postmaster = Number(readFileSync(`${dir}/postmaster.pid`, "utf8").split("\n")[0]);
    } catch {
      postmaster = undefined; // not ours to read (a remote server, another user's data directory)
    }
  }
  return () => {
    const usage = process.cpuUsage();
    return {
      processMs: (usage.user + usage.system) / 1000,
      databaseMs: postmaster === undefined ? undefined : processTreeCpuMs(postmaster),
    };
  };
}
