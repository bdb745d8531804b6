#!/usr/bin/env node
// `npm run test:compat`: the compatibility suite. Installs the pinned real OpenClaw clients (npm
// registry, into the cache outside the repo), then runs vitest with vitest.compat.config.ts inside a
// private network namespace that has only loopback and a "LAN" interface (a veth pair whose both
// ends stay inside the namespace) and no route to anywhere: the gateway, the mock model, the clients, tmux and Chromium all run in there, so nothing
// a client tries to reach (update checks, model catalogues) can leave the machine.
//
// Needs root and iproute2 (`ip netns`). Extra arguments go to vitest.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installCompatClients } from "./compat-install.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The "LAN" inside the namespace (RFC 2544 benchmarking range): a veth pair with both ends inside. */
export const COMPAT_LAN = { iface: "hflan0", peer: "hflan1", cidr: "198.18.7.1/24", address: "198.18.7.1" };

function ip(...args) {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr || r.error}`);
}

if (process.getuid?.() !== 0 || spawnSync("ip", ["netns", "list"]).status !== 0) {
  console.error("test:compat needs root and iproute2 (it runs the clients in a private network namespace)");
  process.exit(2);
}

const started = Date.now();
const clients = await installCompatClients();
const ns = `hfcompat-${randomBytes(3).toString("hex")}`;
ip("netns", "add", ns);
let code = 1;
try {
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", COMPAT_LAN.iface, "type", "veth", "peer", "name", COMPAT_LAN.peer);
  ip("-n", ns, "addr", "add", COMPAT_LAN.cidr, "dev", COMPAT_LAN.iface);
  ip("-n", ns, "link", "set", COMPAT_LAN.iface, "up");
  ip("-n", ns, "link", "set", COMPAT_LAN.peer, "up");
  const vitest = path.join(ROOT, "node_modules/vitest/vitest.mjs");
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      ns,
      process.execPath,
      vitest,
      "run",
      "--config",
      "vitest.compat.config.ts",
      ...process.argv.slice(2),
    ],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: {
        ...process.env,
        HOLDFAST_COMPAT_NETNS: ns,
        HOLDFAST_COMPAT_LAN_ADDRESS: COMPAT_LAN.address,
        HOLDFAST_COMPAT_NODE: clients.node,
        HOLDFAST_COMPAT_OPENCLAW: clients.openclaw,
        HOLDFAST_COMPAT_CONTROL_UI: clients.controlUi,
      },
    },
  );
  const forward = (sig) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  code = await new Promise((resolve) => child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0))));
} finally {
  // Whatever a failed test left running inside the namespace goes with it.
  const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  spawnSync("ip", ["netns", "del", ns]);
}
console.error(`test:compat finished in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${code})`);
process.exit(code);
