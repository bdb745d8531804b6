import { spawn } from "node:child_process";
import { openSync, closeSync, promises as fsp } from "node:fs";
import path from "node:path";
import { readPidInfo, type PidInfo } from "../../client/index.js";
import type { HoldfastPaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { PACKAGE_ROOT } from "../../infra/index.js";
import { stopRunningGateway } from "../commands/incident-util.js";
import { isInstalled, managerCommands, runAll, serviceKind, serviceLayout, supervisedBy } from "./daemon.js";

/** What `holdfast gateway restart` did. */
export interface RestartResult {
  /** `service`: through systemd/launchd; `process`: stopped and started again in the background. */
  readonly how: "service" | "process";
  readonly oldPid?: number;
  readonly pid: number;
  readonly port: number;
}

/** How long a restarted gateway may take to write its PID file (ms). */
const READY_MS = 30_000;

/**
 * Restarts this state dir's gateway. Under its service (systemd unit or launchd agent) the service
 * manager restarts it; otherwise it is stopped (SIGTERM, runs finish) and started again in the
 * background with the arguments and (Linux) the environment it had, its output in
 * `<stateDir>/logs/restart.out`. Without a running gateway, one is started.
 * @throws HoldfastError HF_GATEWAY_STOP_FAILED, HF_GATEWAY_UNREACHABLE (did not come up; its output is quoted).
 */
export async function restartGateway(paths: HoldfastPaths, env: NodeJS.ProcessEnv): Promise<RestartResult> {
  const old = await readPidInfo(paths.pidFile);
  const kind = serviceKind();
  const layout = kind ? serviceLayout(kind, env) : undefined;
  if (layout && old && (await isInstalled(layout)) && (await supervisedBy(old.pid, layout))) {
    const r = await runAll(managerCommands(layout).restart);
    if (r.code !== 0)
      throw new HoldfastError(
        "HF_GATEWAY_STOP_FAILED",
        `${layout.unit} did not restart: ${(r.stderr || r.stdout).trim()}`,
      );
    const info = await waitForNewPid(paths.pidFile, old.pid, () => undefined);
    return { how: "service", oldPid: old.pid, pid: info.pid, port: info.port };
  }
  const childEnv = (old && (await processEnvironment(old.pid))) ?? env;
  if (old) await stopRunningGateway(paths.pidFile);
  const out = path.join(paths.stateDir, "logs", "restart.out");
  await fsp.mkdir(path.dirname(out), { recursive: true, mode: 0o700 });
  const fd = openSync(out, "w", 0o600);
  const child = spawn(
    process.execPath,
    [path.join(PACKAGE_ROOT, "bin", "holdfast.mjs"), ...(old?.argv ?? ["gateway"])],
    {
      env: childEnv,
      cwd: process.cwd(),
      detached: true,
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  child.unref();
  const info = await waitForNewPid(paths.pidFile, old?.pid, () => exited).catch(async (err: unknown) => {
    const tail = (await fsp.readFile(out, "utf8").catch(() => "")).trim().split("\n").slice(-5).join("\n");
    throw new HoldfastError(
      "HF_GATEWAY_UNREACHABLE",
      `the gateway did not come up again${exited !== undefined ? ` (it exited with ${String(exited)})` : ""}; its output (${out}):\n${tail}`,
      undefined,
      { cause: err },
    );
  });
  return { how: "process", ...(old ? { oldPid: old.pid } : {}), pid: info.pid, port: info.port };
}

/** Waits until a gateway other than `oldPid` listens (its PID file has a port). */
async function waitForNewPid(
  pidFile: string,
  oldPid: number | undefined,
  exited: () => number | null | undefined,
): Promise<PidInfo & { port: number }> {
  for (let waited = 0; waited < READY_MS; waited += 100) {
    const info = await readPidInfo(pidFile);
    if (info && info.pid !== oldPid && info.port !== null) return { ...info, port: info.port };
    if (exited() !== undefined) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new HoldfastError("HF_GATEWAY_UNREACHABLE", `no new gateway PID in ${pidFile}`);
}

/** The environment of a running process of this user (Linux `/proc/<pid>/environ`), else undefined. */
async function processEnvironment(pid: number): Promise<NodeJS.ProcessEnv | undefined> {
  const raw = await fsp.readFile(`/proc/${pid}/environ`, "utf8").catch(() => undefined);
  if (!raw) return undefined;
  const env: NodeJS.ProcessEnv = {};
  for (const entry of raw.split("\0")) {
    const i = entry.indexOf("=");
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}
