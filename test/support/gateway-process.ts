import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, writeFile, mkdir, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayClient } from "../../src/client/index.js";
import { trackProcess } from "./live-processes.js";

/** Repository root (for spawning `bin/holdfast.mjs`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(REPO_ROOT, "bin/holdfast.mjs");

/**
 * Creates a fresh private state dir (700) with a config file (600) when `config` is given. The log
 * file goes inside the state dir so tests never touch /tmp/holdfast.
 */
export async function makeStateDir(config?: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-test-"));
  await chmod(dir, 0o700);
  const withLog = {
    ...(config ?? {}),
    logging: { file: path.join(dir, "logs", "holdfast.log"), ...((config?.logging as object) ?? {}) },
  };
  await writeFile(path.join(dir, "holdfast.json"), JSON.stringify(withLog, null, 2), { mode: 0o600 });
  return dir;
}

/** Writes (replaces) the config of a state dir. */
export async function writeConfig(stateDir: string, config: Record<string, unknown>): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(
    path.join(stateDir, "holdfast.json"),
    JSON.stringify({ logging: { file: path.join(stateDir, "logs", "holdfast.log") }, ...config }, null, 2),
    { mode: 0o600 },
  );
}

/** A config fragment that points the default agent at a mock model server. */
export function mockModelConfig(
  mockUrl: string,
  api: "openai-completions" | "anthropic-messages" | "ollama" = "openai-completions",
): Record<string, unknown> {
  const baseUrl = api === "ollama" ? mockUrl : `${mockUrl}/v1`;
  return {
    models: { providers: { mock: { baseUrl, api, apiKey: "mock-key-not-secret", models: ["mock-model"] } } },
    agents: { defaults: { model: { primary: "mock/mock-model" } } },
  };
}

/** `holdfast onboard --non-interactive` for the mock model, its key in `$MOCK_KEY`. */
export function mockOnboardArgs(mockUrl: string): string[] {
  const provider = ["--provider", "mock", "--base-url", `${mockUrl}/v1`, "--api-key-env", "MOCK_KEY"];
  return ["onboard", "--non-interactive", ...provider, "--model", "mock-model"];
}

/** A gateway child process. */
export interface GatewayProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  /** The token clients use (configured, or generated on first start). */
  token(): Promise<string>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process exits by itself. */
  exited: Promise<number | null>;
}

/** Environment for child processes: no provider keys or gateway secrets from the developer's shell. */
export function cleanEnv(stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: "C.UTF-8",
    HOLDFAST_STATE_DIR: stateDir,
    HOLDFAST_DISABLE_BONJOUR: "1",
    ...extra,
  };
  return env;
}

/**
 * A `wrap` for {@link spawnGateway} that puts Node flags NODE_OPTIONS refuses (`--cpu-prof`,
 * `--heap-prof`) on the gateway's command line (a shell that execs node with them, so the PID stays
 * the gateway's). Undefined for no flags.
 */
export function nodeFlagsWrap(flags: readonly string[] | undefined): string[] | undefined {
  return flags?.length ? ["sh", "-c", 'n="$1"; shift; exec "$n" ' + flags.join(" ") + ' "$@"', "sh"] : undefined;
}

/**
 * Spawns `holdfast gateway --port 0` as a real process (this build, or `bin` of another build; behind
 * `wrap`, a command that execs the rest) and
 * waits until it prints its listening line.
 * The process is tracked until it exits (killed after the test file if a test never stops it).
 * @throws Error with the process output when it exits or does not become ready within `timeoutMs`
 *   (default 15000; the process is then killed).
 */
export async function spawnGateway(
  stateDir: string,
  opts: {
    env?: Record<string, string>;
    args?: string[];
    timeoutMs?: number;
    bin?: string;
    /** A command that execs the gateway, e.g. `["prlimit", "--nofile=192:192"]` (the PID stays the gateway's). */
    wrap?: readonly string[];
    /** Node flags before `bin` (`["--import", "tsx"]` for an entry script in TypeScript). */
    node?: readonly string[];
    /** Opens Node's IPC channel to the child (`proc.send` / `message`), for a test entry script's fakes. */
    ipc?: boolean;
  } = {},
): Promise<GatewayProcess> {
  const bin = opts.bin ?? BIN;
  const [cmd, ...rest] = [
    ...(opts.wrap ?? []),
    process.execPath,
    ...(opts.node ?? []),
    bin,
    "gateway",
    "--port",
    "0",
    ...(opts.args ?? []),
  ];
  const proc = spawn(cmd as string, rest, {
    env: cleanEnv(stateDir, opts.env),
    stdio: opts.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  trackProcess(proc);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`gateway not ready in time:\n${stdout.join("")}\n${stderr.join("")}`));
    }, opts.timeoutMs ?? 15_000);
    proc.stdout?.on("data", (b: Buffer) => {
      stdout.push(b.toString());
      const m = /listening on wss?:\/\/[^:]+:(\d+)/.exec(stdout.join(""));
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.stderr?.on("data", (b: Buffer) => stderr.push(b.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before ready:\n${stdout.join("")}\n${stderr.join("")}`));
    });
  });
  const tls = /listening on wss:/.test(stdout.join(""));
  return {
    proc,
    port,
    url: `${tls ? "wss" : "ws"}://127.0.0.1:${port}`,
    stdout,
    stderr,
    exited,
    token: async () =>
      opts.env?.HOLDFAST_GATEWAY_TOKEN ??
      (await readFile(path.join(stateDir, "credentials", "gateway-token"), "utf8")).trim(),
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Runs a CLI command as a real process. */
export function runCli(
  stateDir: string,
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; wrap?: readonly string[] } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = [...(opts.wrap ?? []), process.execPath, BIN, ...args];
    const proc = spawn(cmd as string, rest, {
      env: cleanEnv(stateDir, opts.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`holdfast ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    proc.stdin.end(opts.input ?? "");
  });
}

/** Runs `holdfast <args> | head -1` in bash with pipefail: the exit code is holdfast's. */
export function pipedToHead(
  stateDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const cmd = `set -o pipefail; "${process.execPath}" "${BIN}" ${args.join(" ")} | head -1`;
    const p = spawn("bash", ["-c", cmd], { env: cleanEnv(stateDir, env) });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    p.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    p.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A gateway process with one operator client connected (token auth). */
export interface ConnectedGateway {
  readonly gw: GatewayProcess;
  readonly client: GatewayClient;
  /** Closes the client, stops the gateway (SIGTERM) and closes `also` (a mock server). */
  close(...also: ({ close(): Promise<unknown> } | undefined)[]): Promise<void>;
}

/** {@link spawnGateway}, then connects an operator client with the gateway's token. */
export async function spawnConnectedGateway(
  stateDir: string,
  opts: Parameters<typeof spawnGateway>[1] = {},
): Promise<ConnectedGateway> {
  const gw = await spawnGateway(stateDir, opts);
  const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  return {
    gw,
    client,
    close: async (...also) => {
      client.close();
      await gw.stop();
      for (const a of also) await a?.close();
    },
  };
}
