import { rm } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { createBackup, openBackup, restoreBackup } from "../../backup/index.js";
import { readPidInfo } from "../../client/index.js";
import { resolvePaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { stateDbPath } from "../../store/index.js";
import { printJson, type CliIo } from "../io.js";
import { isGatewayProcess } from "./incident-util.js";

/** The passphrase named by `--passphrase-env VAR` (never a command-line value: argv is visible to every user). */
function passphraseFrom(varName: string | undefined): string | undefined {
  if (varName === undefined) return undefined;
  const v = process.env[varName];
  if (!v)
    throw new HoldfastError(
      "HF_BACKUP_PASSPHRASE",
      `--passphrase-env ${varName}: that environment variable is not set or empty`,
    );
  return v;
}

async function gatewayRunning(pidFile: string): Promise<boolean> {
  const info = await readPidInfo(pidFile);
  if (!info) return false;
  try {
    process.kill(info.pid, 0);
  } catch {
    return false;
  }
  return isGatewayProcess(info.pid);
}

/**
 * `holdfast backup create [--out file] [--passphrase-env VAR] [--include-logs] [--json]`,
 * `backup verify <file> [--passphrase-env VAR] [--json]` and `backup restore <file> [--passphrase-env VAR]
 * [--force] [--json]`. Create works while the gateway runs; restore needs it stopped and an empty
 * state dir (or `--force`). Source: seeds "Backup & Recovery".
 */
export function registerBackup(program: Command, io: CliIo): void {
  const cmd = program.command("backup").description("back up, verify and restore the state dir");
  cmd
    .command("create")
    .description("write one archive of the state dir (consistent while the gateway runs; mode 600)")
    .option("--out <file>", "archive path (default ./holdfast-backup-<time>.tgz, .tgz.enc when encrypted)")
    .option("--passphrase-env <VAR>", "encrypt with the passphrase in this environment variable (AES-256-GCM, scrypt)")
    .option("--include-logs", "also the gateway logs under <stateDir>/logs")
    .option("--json", "JSON output")
    .action(async (o: { out?: string; passphraseEnv?: string; includeLogs?: boolean; json?: boolean }) => {
      const paths = resolvePaths();
      const passphrase = passphraseFrom(o.passphraseEnv);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const out = path.resolve(o.out ?? `holdfast-backup-${stamp}.tgz${passphrase ? ".enc" : ""}`);
      const r = await createBackup(
        {
          stateDir: paths.stateDir,
          configPath: paths.configPath,
          dbFile: stateDbPath(paths.stateDir),
          includeLogs: o.includeLogs === true,
          now: () => Date.now(),
        },
        out,
        passphrase,
      );
      if (o.json) return printJson(io, { file: r.file, encrypted: r.encrypted, files: r.manifest.files.length });
      io.out(
        `wrote ${r.file} (${r.manifest.files.length} files${r.encrypted ? ", encrypted" : ", NOT encrypted"}; mode 600)`,
      );
      if (!r.encrypted) io.out("it holds credentials in the clear: keep it private, or use --passphrase-env <VAR>");
    });
  cmd
    .command("verify <file>")
    .description("check an archive's integrity (and passphrase) without restoring it")
    .option("--passphrase-env <VAR>", "the passphrase of an encrypted archive")
    .option("--json", "JSON output")
    .action(async (file: string, o: { passphraseEnv?: string; json?: boolean }) => {
      const opened = await openBackup(path.resolve(file), passphraseFrom(o.passphraseEnv));
      await rm(opened.dir, { recursive: true, force: true });
      const m = opened.manifest;
      if (o.json)
        return printJson(io, { ok: true, encrypted: opened.encrypted, createdAt: m.createdAt, files: m.files.length });
      io.out(
        `ok: ${m.files.length} files match their checksums (created ${m.createdAt}${opened.encrypted ? ", encrypted" : ""})`,
      );
    });
  cmd
    .command("restore <file>")
    .description("restore into an empty (or missing) state dir with the gateway stopped; modes 700/600")
    .option("--passphrase-env <VAR>", "the passphrase of an encrypted archive")
    .option("--force", "restore over a non-empty state dir (its contents are moved aside, not deleted)")
    .option("--json", "JSON output")
    .action(async (file: string, o: { passphraseEnv?: string; force?: boolean; json?: boolean }) => {
      const paths = resolvePaths();
      const r = await restoreBackup({
        file: path.resolve(file),
        stateDir: paths.stateDir,
        configPath: paths.configPath,
        ...(o.passphraseEnv ? { passphrase: passphraseFrom(o.passphraseEnv) as string } : {}),
        force: o.force === true,
        gatewayRunning: await gatewayRunning(paths.pidFile),
        now: () => Date.now(),
      });
      if (o.json) return printJson(io, r);
      io.out(`restored ${r.files} files (backup of ${r.createdAt}) into ${r.stateDir}`);
      if (r.previousMovedTo) io.out(`the previous contents are in ${r.previousMovedTo}`);
      if (r.config)
        io.out(
          r.config.restored ? `restored the config to ${r.config.path}` : `kept the existing config ${r.config.path}`,
        );
    });
}
