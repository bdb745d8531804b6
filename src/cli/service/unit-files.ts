import { HoldfastError } from "../../errors/index.js";

/** What a service definition runs: the node binary, the CLI entry, the state dir and its env file. */
export interface ServiceSpec {
  /** systemd unit name without `.service`, or the launchd label. */
  readonly name: string;
  readonly nodePath: string;
  readonly binPath: string;
  readonly stateDir: string;
  /** `<stateDir>/gateway.env` (600): the variables the gateway needs. */
  readonly envFile: string;
  /** Where launchd writes the process's stdout/stderr (`<stateDir>/logs/service.log`). */
  readonly outputFile: string;
}

/**
 * A systemd user unit (`~/.config/systemd/user/<name>.service`) that runs `holdfast gateway` with
 * the env file: restarted on failure, but not after a config refusal (exit 78: restarting cannot
 * help), files created private (UMask 0077).
 */
export function systemdUnit(s: ServiceSpec): string {
  return [
    "[Unit]",
    `Description=holdfast gateway (state dir ${s.stateDir})`,
    "Documentation=https://www.npmjs.com/package/holdfast",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${quoteArgs([s.nodePath, s.binPath, "gateway"])}`,
    `EnvironmentFile=${s.envFile}`,
    `WorkingDirectory=${s.stateDir}`,
    "Restart=on-failure",
    "RestartSec=5",
    "RestartPreventExitStatus=78",
    "UMask=0077",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

/**
 * A launchd agent (`~/Library/LaunchAgents/<label>.plist`): node reads the env file itself
 * (`--env-file`, launchd has none); kept alive after a failure, throttled to one start per 10 s.
 */
export function launchdPlist(s: ServiceSpec): string {
  const str = (v: string) => `<string>${xml(v)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>${str(s.name)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...[s.nodePath, `--env-file=${s.envFile}`, s.binPath, "gateway"].map((a) => `    ${str(a)}`),
    "  </array>",
    `  <key>WorkingDirectory</key>${str(s.stateDir)}`,
    "  <key>RunAtLoad</key><true/>",
    "  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>",
    "  <key>ThrottleInterval</key><integer>10</integer>",
    "  <key>Umask</key><integer>63</integer>",
    `  <key>StandardOutPath</key>${str(s.outputFile)}`,
    `  <key>StandardErrorPath</key>${str(s.outputFile)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./~-]*$/;

/**
 * The env file (`KEY=value` lines) that both systemd's `EnvironmentFile=` and node's `--env-file`
 * read the same way: plain values as they are, others in single quotes (taken literally by both).
 * @throws HoldfastError HF_CLI_USAGE for a value neither can carry (a newline or a single quote).
 */
export function envFileText(vars: Readonly<Record<string, string>>): string {
  const lines = ["# holdfast gateway environment, written by `holdfast daemon install` (mode 600).", ""];
  for (const [k, v] of Object.entries(vars)) {
    if (/[\n\r']/.test(v))
      throw new HoldfastError(
        "HF_CLI_USAGE",
        `the value of ${k} holds a newline or a single quote, which a service env file cannot carry; use a file SecretRef for it instead`,
      );
    lines.push(`${k}=${PLAIN.test(v) ? v : `'${v}'`}`);
  }
  return `${lines.join("\n")}\n`;
}

function quoteArgs(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, "\\$1")}"`)).join(" ");
}

function xml(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
