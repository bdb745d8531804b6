import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { readPidInfo } from "../../client/index.js";
import { loadConfig, resolvePaths, standInEnv } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { PACKAGE_ROOT, cliHint, writeFileAtomic } from "../../infra/index.js";
import { printJson, type CliIo } from "../io.js";
import {
  isInstalled,
  managerCommands,
  runAll,
  serviceKind,
  serviceLayout,
  supervisedBy,
  type ServiceLayout,
} from "../service/daemon.js";
import { serviceEnvironment } from "../service/service-env.js";
import { envFileText, launchdPlist, systemdUnit } from "../service/unit-files.js";

/** This platform's service layout. @throws HoldfastError HF_CLI_USAGE on a platform without one. */
export function currentLayout(env: NodeJS.ProcessEnv = process.env): ServiceLayout {
  const kind = serviceKind();
  if (!kind)
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `holdfast installs services with systemd (Linux) or launchd (macOS); ${process.platform} has neither`,
    );
  return serviceLayout(kind, env);
}

const shown = (cmds: string[][]) => cmds.map((c) => c.join(" ")).join(" && ");

interface InstallFlags {
  readonly start?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** `holdfast daemon install`: unit file, env file (600), then enable and start it. */
async function install(o: InstallFlags, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const layout = currentLayout();
  const paths = resolvePaths();
  if ((await isInstalled(layout)) && !o.force)
    throw new HoldfastError("HF_CLI_USAGE", `${layout.file} exists already; pass --force to rewrite it`);
  const loaded = await loadConfig(paths.configPath, standInEnv(process.env));
  const senv = serviceEnvironment(loaded.raw, process.env, paths);
  await fsp.mkdir(path.join(paths.stateDir, "logs"), { recursive: true, mode: 0o700 });
  await writeFileAtomic(layout.spec.envFile, envFileText(senv.vars));
  await fsp.mkdir(path.dirname(layout.file), { recursive: true });
  const text = layout.kind === "systemd" ? systemdUnit(layout.spec) : launchdPlist(layout.spec);
  await fsp.writeFile(layout.file, text, { mode: 0o644 });
  const cmds = managerCommands(layout).start;
  const started = o.start === false ? undefined : await runAll(cmds);
  const report = {
    kind: layout.kind,
    unit: layout.unit,
    file: layout.file,
    envFile: layout.spec.envFile,
    envVars: Object.keys(senv.vars),
    missingVars: senv.missing,
    started: started ? started.code === 0 : false,
    ...(started && started.code !== 0 ? { error: (started.stderr || started.stdout).trim().split("\n")[0] } : {}),
    startCommand: shown(cmds),
  };
  if (started && started.code !== 0) setExit(1);
  if (o.json) return printJson(io, report);
  io.out(`Wrote ${layout.file} and ${layout.spec.envFile} (mode 600: ${report.envVars.join(", ")}).`);
  for (const m of senv.missing)
    io.err(`warning: the config uses ${m}, which is not set here; add it to ${layout.spec.envFile}`);
  if (PACKAGE_ROOT.includes(`${path.sep}_npx${path.sep}`))
    io.err(
      "warning: holdfast runs from the npx cache; install it (npm install -g holdfast) so the service keeps working",
    );
  if (!started) io.out(`Start it with: ${report.startCommand}`);
  else if (started.code === 0) io.out(`Started ${layout.unit}. Check it with: ${cliHint("daemon status")}`);
  else io.err(`Could not start ${layout.unit}: ${report.error ?? "failed"}. Start it by hand: ${report.startCommand}`);
  if (layout.kind === "systemd") io.out("To keep it running after you log out: loginctl enable-linger $USER");
}

/** `holdfast daemon uninstall`: stop and disable it, remove the unit file and the env file. */
async function uninstall(o: { json?: boolean }, io: CliIo): Promise<void> {
  const layout = currentLayout();
  const installed = await isInstalled(layout);
  const stopped = installed ? await runAll(managerCommands(layout).stop) : undefined;
  await fsp.rm(layout.file, { force: true });
  await fsp.rm(layout.spec.envFile, { force: true });
  if (layout.kind === "systemd" && installed) await runAll([["systemctl", "--user", "daemon-reload"]]);
  const report = { unit: layout.unit, removed: installed, stopped: stopped?.code === 0, file: layout.file };
  if (o.json) return printJson(io, report);
  io.out(
    installed
      ? `Removed ${layout.unit} (${layout.file}) and ${layout.spec.envFile}${stopped?.code === 0 ? "; the service is stopped" : ""}.`
      : `No ${layout.unit} is installed (${layout.file}).`,
  );
}

/** `holdfast daemon status`: the unit file, the env file's mode, the manager's view, the running gateway. */
export async function daemonStatus(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const layout = currentLayout(env);
  const installed = await isInstalled(layout);
  const envMode = (await fsp.stat(layout.spec.envFile).catch(() => undefined))?.mode;
  const manager = installed ? await runAll(managerCommands(layout).status) : undefined;
  const running = await readPidInfo(resolvePaths(env).pidFile);
  return {
    kind: layout.kind,
    unit: layout.unit,
    installed,
    file: layout.file,
    envFile: { path: layout.spec.envFile, mode: envMode === undefined ? null : (envMode & 0o777).toString(8) },
    active: manager ? manager.code === 0 : false,
    ...(manager?.missing ? { manager: "unavailable" } : {}),
    gateway: running
      ? { pid: running.pid, port: running.port, supervised: await supervisedBy(running.pid, layout) }
      : null,
  };
}

/** `holdfast daemon install|uninstall|status`. */
export function registerDaemon(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const daemon = program
    .command("daemon")
    .description("run the gateway as a service: a systemd user unit (Linux) or a launchd agent (macOS)");
  daemon
    .command("install")
    .description("write the service and its env file (600, the variables the config needs), then enable and start it")
    .option("--no-start", "write the files only; print the command that starts it")
    .option("--force", "rewrite an existing service file")
    .option("--json", "JSON output")
    .action((o: InstallFlags) => install(o, io, setExit));
  daemon
    .command("uninstall")
    .description("stop and disable the service; remove its unit file and env file")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => uninstall(o, io));
  daemon
    .command("status")
    .description("is the service installed and active, and is the gateway it runs up (exit 1 when not installed)")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const s = await daemonStatus();
      if (!s.installed) setExit(1);
      if (o.json) return printJson(io, s);
      const g = s.gateway as { pid: number; port: number; supervised: boolean } | null;
      io.out(
        `${String(s.unit)}: ${s.installed ? (s.active ? "installed, active" : "installed, not active") : "not installed"} (${String(s.file)})`,
      );
      io.out(
        `env file: ${(s.envFile as { path: string; mode: string | null }).path} (${(s.envFile as { mode: string | null }).mode ?? "missing"})`,
      );
      io.out(
        g
          ? `gateway: running (pid ${g.pid}, port ${g.port}${g.supervised ? ", under the service" : ", not under the service"})`
          : "gateway: not running",
      );
      if (!s.installed) io.out(`Install it with: ${cliHint("daemon install")}`);
    });
}
