import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";

/** A TCP port on 127.0.0.1 whose connection attempts hang: see {@link startUnacceptingListener}. */
export interface UnacceptingListener {
  readonly port: number;
  close(): Promise<void>;
}

// Listens with a backlog of 1, says its port, then blocks its event loop for good: nothing ever accepts.
const CHILD = `
const server = require("node:net").createServer();
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  process.stdout.write(server.address().port + "\\n", () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
});`;

/** Linux queues backlog + 1 handshaken connections that nobody accepted; past that it drops SYNs. */
const QUEUED = 2;

/**
 * A listening socket that never accepts, with its accept queue full: the kernel drops further
 * SYNs, so a client's connect neither succeeds nor is refused — it hangs until the client's own
 * connect timeout. The listener is a child process (a blocked event loop cannot accept).
 *
 * @example
 * const listener = await startUnacceptingListener();
 * // http://127.0.0.1:${listener.port}/ now times out in connect
 */
export async function startUnacceptingListener(): Promise<UnacceptingListener> {
  const child = spawn(process.execPath, ["-e", CHILD], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once("line", (line) => resolve(Number(line)));
    child.once("exit", (code) => reject(new Error(`the listener exited (code ${code}) before listening`)));
  });
  lines.close();
  // Fill the accept queue: these complete their handshakes in the kernel and are never accepted.
  const fillers: Socket[] = [];
  for (let i = 0; i < QUEUED; i++) {
    const socket = connect(port, "127.0.0.1");
    fillers.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
  }
  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      child.kill("SIGKILL");
      await exited;
    },
  };
}
