import { promises as fsp } from "node:fs";
import net from "node:net";

/** A process that listens on a TCP port, as far as this user can see it. */
export interface PortHolder {
  readonly pid: number;
  /** Its command line, shortened. */
  readonly command: string;
}

/**
 * Whether `host:port` can be listened on now: tries it and closes at once.
 * @returns undefined when free, else the listen error's code (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`).
 */
export function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "ERROR"));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * The process listening on TCP `port` (Linux: the socket's inode in `/proc/net/tcp{,6}`, then the
 * process of this user holding it). Undefined elsewhere, or when the holder belongs to another user.
 */
export async function findPortHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await fsp.readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1]?.split(":")[1];
      if (local && parseInt(local, 16) === port && cols[3] === "0A" && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  const pids = (await fsp.readdir("/proc").catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    const fds = await fsp.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await fsp.readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) return { pid: Number(pid), command: await commandOf(pid) };
    }
  }
  return undefined;
}

async function commandOf(pid: string): Promise<string> {
  const raw = await fsp.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const cmd = raw.split("\0").filter(Boolean).join(" ");
  return cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd;
}
