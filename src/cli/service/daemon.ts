import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolvePaths, type HoldfastPaths } from "../../config/index.js";
import { PACKAGE_ROOT, readFileIfExists } from "../../infra/index.js";
import { instanceId } from "../../logging/index.js";
import { type ServiceSpec } from "./unit-files.js";

/** The service managers holdfast installs into. */
export type ServiceKind = "systemd" | "launchd";

/** Where this state dir's service lives and what it runs. */
export interface ServiceLayout {
  readonly kind: ServiceKind;
  readonly spec: ServiceSpec;
  /** The unit file or plist. */
  readonly file: string;
  /** `<name>.service` (systemd) or the label (launchd). */
  readonly unit: string;
}

/** The service manager of a platform: systemd (user units) on Linux, launchd on macOS. */
export function serviceKind(platform: NodeJS.Platform = process.platform): ServiceKind | undefined {
  return platform === "linux" ? "systemd" : platform === "darwin" ? "launchd" : undefined;
}

/**
 * The service of this state dir: `holdfast-gateway` (launchd: `ai.holdfast.gateway`) for the default
 * `~/.holdfast`, with the state dir's instance id appended for any other, so each state dir can have
 * its own service. Unit files go to `$XDG_CONFIG_HOME/systemd/user` (default `~/.config/...`) or
 * `~/Library/LaunchAgents`.
 */
export function serviceLayout(
  kind: ServiceKind,
  env: NodeJS.ProcessEnv = process.env,
  home: string = env.HOME ?? os.homedir(),
): ServiceLayout {
  const paths = resolvePaths(env, home);
  const isDefault = paths.stateDir === path.join(home, ".holdfast");
  const suffix = isDefault ? "" : `-${instanceId(paths.stateDir)}`;
  const spec = (name: string): ServiceSpec => ({
    name,
    nodePath: process.execPath,
    binPath: path.join(PACKAGE_ROOT, "bin", "holdfast.mjs"),
    stateDir: paths.stateDir,
    envFile: envFilePath(paths),
    outputFile: path.join(paths.stateDir, "logs", "service.log"),
  });
  if (kind === "systemd") {
    const name = `holdfast-gateway${suffix}`;
    const dir = path.join(env.XDG_CONFIG_HOME || path.join(home, ".config"), "systemd", "user");
    return { kind, spec: spec(name), file: path.join(dir, `${name}.service`), unit: `${name}.service` };
  }
  const label = `ai.holdfast.gateway${suffix.replace("-", ".")}`;
  return { kind, spec: spec(label), file: path.join(home, "Library", "LaunchAgents", `${label}.plist`), unit: label };
}

/** `<stateDir>/gateway.env`. */
export function envFilePath(paths: Pick<HoldfastPaths, "stateDir">): string {
  return path.join(paths.stateDir, "gateway.env");
}

/** The result of running a service manager command. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command does not exist here. */
  readonly missing?: boolean;
}

/** Runs `systemctl`/`launchctl` (10 s limit), never through a shell. */
export function runTool(cmd: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e?.code === "ENOENT") return resolve({ code: 127, stdout: "", stderr: `${cmd} not found`, missing: true });
      resolve({ code: typeof e?.code === "number" ? e.code : e ? 1 : 0, stdout, stderr });
    });
  });
}

/** The commands that manage a layout's service (what install/uninstall/restart run, and print). */
export function managerCommands(l: ServiceLayout): Record<"start" | "stop" | "restart" | "status", string[][]> {
  if (l.kind === "systemd") {
    const ctl = (...a: string[]) => ["systemctl", "--user", ...a];
    return {
      start: [ctl("daemon-reload"), ctl("enable", "--now", l.unit)],
      stop: [ctl("disable", "--now", l.unit)],
      restart: [ctl("restart", l.unit)],
      status: [ctl("is-active", l.unit)],
    };
  }
  const domain = `gui/${process.getuid?.() ?? 501}`;
  return {
    start: [["launchctl", "bootstrap", domain, l.file]],
    stop: [["launchctl", "bootout", `${domain}/${l.unit}`]],
    restart: [["launchctl", "kickstart", "-k", `${domain}/${l.unit}`]],
    status: [["launchctl", "print", `${domain}/${l.unit}`]],
  };
}

/** Runs a list of manager commands in order; stops at the first failure and returns its result. */
export async function runAll(cmds: readonly string[][]): Promise<RunResult> {
  let last: RunResult = { code: 0, stdout: "", stderr: "" };
  for (const [cmd, ...args] of cmds) {
    last = await runTool(cmd as string, args);
    if (last.code !== 0) return last;
  }
  return last;
}

/**
 * Whether a process runs under this state dir's service: its systemd cgroup names the unit (Linux).
 * On macOS the launchd label is asked instead. False when it cannot be told.
 */
export async function supervisedBy(pid: number, l: ServiceLayout): Promise<boolean> {
  if (l.kind === "systemd")
    return ((await readFileIfExists(`/proc/${pid}/cgroup`).catch(() => "")) ?? "").includes(l.unit);
  const r = await runTool("launchctl", ["print", `gui/${process.getuid?.() ?? 501}/${l.unit}`]);
  return r.code === 0 && new RegExp(`\\bpid = ${pid}\\b`).test(r.stdout);
}

/** True when the service definition file exists. */
export async function isInstalled(l: ServiceLayout): Promise<boolean> {
  return (await fsp.lstat(l.file).catch(() => undefined)) !== undefined;
}
