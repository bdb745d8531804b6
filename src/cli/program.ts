import { Command } from "commander";
import { PACKAGE_VERSION as VERSION } from "../infra/index.js";
import type { CliIo } from "./io.js";

/** A command group: adds its commands to the program. */
export type CommandRegistrar = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** A top-level command and how to load its module (each command module loads only when used). */
export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandRegistrar>;
}

/** Every command group of the CLI, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "onboard", load: async () => (await import("./commands/onboard.js")).registerOnboard },
  { name: "gateway", load: async () => (await import("./commands/gateway.js")).registerGateway },
  { name: "daemon", load: async () => (await import("./commands/daemon.js")).registerDaemon },
  { name: "agent", load: async () => (await import("./commands/agent.js")).registerAgent },
  { name: "models", load: async () => (await import("./commands/models.js")).registerModels },
  { name: "status", load: async () => (await import("./commands/status.js")).registerStatus },
  { name: "sessions", load: async () => (await import("./commands/sessions.js")).registerSessions },
  { name: "pairing", load: async () => (await import("./commands/pairing.js")).registerPairing },
  { name: "approvals", load: async () => (await import("./commands/approvals.js")).registerApprovals },
  { name: "node", load: async () => (await import("./commands/nodes.js")).registerNode },
  { name: "nodes", load: async () => (await import("./commands/nodes.js")).registerNodes },
  { name: "devices", load: async () => (await import("./commands/devices.js")).registerDevices },
  { name: "channels", load: async () => (await import("./commands/channels.js")).registerChannels },
  { name: "config", load: async () => (await import("./commands/config.js")).registerConfig },
  { name: "secrets", load: async () => (await import("./commands/secrets.js")).registerSecrets },
  { name: "security", load: async () => (await import("./commands/security.js")).registerSecurity },
  { name: "doctor", load: async () => (await import("./commands/doctor.js")).registerDoctor },
  { name: "logs", load: async () => (await import("./commands/logs.js")).registerLogs },
  { name: "privacy", load: async () => (await import("./commands/privacy.js")).registerPrivacy },
  { name: "audit-log", load: async () => (await import("./commands/audit-log.js")).registerAuditLog },
  { name: "backup", load: async () => (await import("./commands/backup.js")).registerBackup },
  { name: "encryption", load: async () => (await import("./commands/encryption.js")).registerEncryption },
  { name: "lockdown", load: async () => (await import("./commands/lockdown.js")).registerLockdown },
];

/**
 * Builds the `holdfast` commander program. Only the module of the invoked command is loaded (fast
 * start-up); help, `--version` and unknown commands load them all.
 * @param argv as in `process.argv`
 */
export async function buildProgram(
  io: CliIo,
  setExit: (code: number) => void,
  argv: readonly string[] = [],
): Promise<Command> {
  const program = new Command("holdfast")
    .description("holdfast: a self-hosted, security-first personal AI assistant gateway")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();
  const invoked = argv[2];
  const one = COMMANDS.find((c) => c.name === invoked);
  for (const entry of one ? [one] : COMMANDS) (await entry.load())(program, io, setExit);
  return program;
}
