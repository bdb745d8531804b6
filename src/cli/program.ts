import { Command } from "commander";
import { VERSION } from "../app/version.js";
import { registerApprovals } from "./commands/approvals.js";
import { registerChannels } from "./commands/channels.js";
import { registerConfig } from "./commands/config.js";
import { registerDevices } from "./commands/devices.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerGateway } from "./commands/gateway.js";
import { registerLockdown } from "./commands/lockdown.js";
import { registerLogs } from "./commands/logs.js";
import { registerPairing } from "./commands/pairing.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerSecurity } from "./commands/security.js";
import { registerSessions } from "./commands/sessions.js";
import { registerStatus } from "./commands/status.js";
import type { CliIo } from "./io.js";

/** A command group: adds its commands to the program. */
export type CommandRegistrar = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** Every command group of the CLI, in help order. */
export const COMMANDS: readonly CommandRegistrar[] = [
  registerGateway, registerStatus, registerSessions, registerPairing, registerApprovals, registerDevices, registerChannels, registerConfig,
  registerSecrets, registerSecurity, registerDoctor, registerLogs, registerLockdown,
];

/** Builds the `holdfast` commander program. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("holdfast")
    .description("holdfast: a self-hosted, security-first personal AI assistant gateway")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();
  for (const register of COMMANDS) register(program, io, setExit);
  return program;
}
