/**
 * The jail agent: a long-lived program run INSIDE a session's bubblewrap jail (sandbox or host
 * jail). It starts the session's commands and performs its file operations, so a tool call costs a
 * fork inside an existing jail instead of a new jail (bubblewrap's namespace and mount setup) per
 * call. Built as a standalone script (dist/jail-agent.mjs, Node built-ins only), mounted read-only
 * with the gateway's node binary. Protocol: agent/protocol.ts. It exits when its stdin closes (the
 * gateway stopped it, or died: bubblewrap's --die-with-parent ends the whole jail then).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { runFileOps } from "../fileops/ops.js";
import { homeEnv, spawnCapture } from "../spawn-capture.js";
import type { AgentReply, AgentRequest } from "./protocol.js";

const running = new Map<number, AbortController>();

function send(reply: AgentReply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

/** A fresh, empty home directory for a command whose dotfiles must not come from the workspace. */
function privateHome(): { env: Record<string, string>; dir: string } {
  const dir = mkdtempSync(path.join("/tmp", "holdfast-home-"));
  return { dir, env: homeEnv(dir) };
}

/** Whether `dir` is a directory, as the jail sees it. */
function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function exec(msg: Extract<AgentRequest, { t: "exec" }>): Promise<void> {
  if (!isDirectory(msg.cwd)) {
    const stderr = `cwd ${msg.cwd} is not a directory in the workspace\n`;
    const result = {
      exitCode: 127,
      signal: null,
      stdout: "",
      stderr,
      truncated: false,
      timedOut: false,
      durationMs: 0,
    };
    return send({ t: "exec", id: msg.id, result });
  }
  const ac = new AbortController();
  running.set(msg.id, ac);
  const home = msg.privateHome ? privateHome() : undefined;
  try {
    const result = await spawnCapture([...msg.prefix, ...msg.argv], {
      cwd: msg.cwd,
      env: { ...msg.env, ...(home?.env ?? {}) },
      timeoutMs: msg.timeoutMs,
      maxOutputBytes: msg.maxOutputBytes,
      signal: ac.signal,
      ...(msg.stdin !== undefined ? { stdin: Buffer.from(msg.stdin, "base64") } : {}),
    });
    send({ t: "exec", id: msg.id, result });
  } finally {
    running.delete(msg.id);
    if (home) rmSync(home.dir, { recursive: true, force: true });
    if (running.size === 0) sweep();
  }
}

/**
 * With no command running, nothing but the agent (and bubblewrap's init, pid 1) has a reason to
 * live in the jail: processes that detached from their command (setsid, double fork) are killed,
 * so a command never leaves a daemon behind in the session's jail.
 */
function sweep(): void {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone, or not ours
    }
  }
}

function handle(line: string): void {
  let msg: AgentRequest;
  try {
    msg = JSON.parse(line) as AgentRequest;
  } catch {
    return;
  }
  if (msg.t === "exec")
    void exec(msg).catch((err: unknown) =>
      send({ t: "error", id: msg.id, message: err instanceof Error ? err.message : String(err) }),
    );
  else if (msg.t === "kill") running.get(msg.id)?.abort();
  else if (msg.t === "files") {
    try {
      send({ t: "files", id: msg.id, response: runFileOps(msg.request) });
    } catch (err) {
      send({ t: "error", id: msg.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", handle);
rl.on("close", () => {
  for (const ac of running.values()) ac.abort();
  setTimeout(() => process.exit(0), 200).unref();
});
send({ t: "ready" });
