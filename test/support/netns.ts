import { execFile, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./gateway-process.js";

const run = promisify(execFile);

/**
 * A network namespace joined to this host by a veth pair, so tests get real non-loopback peers
 * without touching any other network: the host side has `hostIp`, the namespace side has the two
 * `peerIps` (a private /29 in 198.18.0.0/15, the benchmarking range). Needs root and `ip`.
 */
export interface NetNs {
  readonly name: string;
  readonly hostIp: string;
  readonly peerIps: readonly [string, string];
  /** Runs `node --import tsx test/support/netns-client.ts` inside the namespace with `plan` on stdin. */
  client<T = unknown>(plan: unknown, timeoutMs?: number): Promise<T>;
  /** Deletes the veth pair and the namespace. */
  cleanup(): Promise<void>;
}

/** True when this process may create network namespaces (root with iproute2). */
export async function canUseNetns(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  return run("ip", ["netns", "list"]).then(
    () => true,
    () => false,
  );
}

async function ip(...args: string[]): Promise<void> {
  await run("ip", args);
}

/** Creates a namespace + veth pair on a /29 no interface of this host uses yet. */
export async function createNetns(): Promise<NetNs> {
  const id = randomBytes(3).toString("hex");
  const name = `hfns-${id}`;
  const hostIf = `hfh${id}`;
  const nsIf = `hfn${id}`;
  const used = (await run("ip", ["-4", "-o", "addr"])).stdout;
  // A /29 inside 198.18.0.0/15 (offsets 0..131071), not already on an interface of this host.
  const at = (base: number, n: number) =>
    `198.${18 + ((base + n) >> 16)}.${((base + n) >> 8) & 255}.${(base + n) & 255}`;
  let base = randomInt(0, 16384) * 8;
  for (let tries = 0; tries < 20 && used.includes(`${at(base, 1)}/`); tries++) base = randomInt(0, 16384) * 8;
  const addr = (n: number) => at(base, n);
  await ip("netns", "add", name);
  try {
    await ip("link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
    await ip("link", "set", nsIf, "netns", name);
    await ip("addr", "add", `${addr(1)}/29`, "dev", hostIf);
    await ip("link", "set", hostIf, "up");
    await ip("netns", "exec", name, "ip", "addr", "add", `${addr(2)}/29`, "dev", nsIf);
    await ip("netns", "exec", name, "ip", "addr", "add", `${addr(3)}/29`, "dev", nsIf);
    await ip("netns", "exec", name, "ip", "link", "set", nsIf, "up");
    await ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
  } catch (err) {
    await ip("link", "del", hostIf).catch(() => undefined);
    await ip("netns", "del", name).catch(() => undefined);
    throw err;
  }
  return {
    name,
    hostIp: addr(1),
    peerIps: [addr(2), addr(3)],
    client: (plan, timeoutMs) => runClient(name, plan, timeoutMs),
    cleanup: async () => {
      await ip("link", "del", hostIf).catch(() => undefined);
      await ip("netns", "del", name).catch(() => undefined);
    },
  };
}

function runClient<T>(ns: string, plan: unknown, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const script = path.join(REPO_ROOT, "test/support/netns-client.ts");
    const proc = spawn("ip", ["netns", "exec", ns, process.execPath, "--import", "tsx", script], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`netns client timed out\n${err}`));
    }, timeoutMs);
    proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (err += b.toString()));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`netns client exited ${code}\n${err}\n${out}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`netns client printed no JSON\n${out}\n${err}`));
      }
    });
    proc.stdin.end(JSON.stringify(plan));
  });
}

/**
 * `gateway.tls` for tests that drive a gateway bound to the namespace's address with a plain `ws://`
 * client: the explicit, audited opt-out of the TLS requirement for non-loopback binds (the link
 * exists only inside this machine).
 */
export const PLAINTEXT_LAN = { dangerouslyAllowPlaintext: true } as const;
