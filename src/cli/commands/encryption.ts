import type { Command } from "commander";
import {
  disableEncryption,
  enableEncryption,
  encryptionStatus,
  KEY_CONFIG_PATH,
  rotateEncryption,
  type EncryptionCommandInput,
  type MigrationReport,
} from "../../crypt/index.js";
import { HoldfastError } from "../../errors/index.js";
import { cliHint } from "../../infra/index.js";
import { printJson, type CliIo } from "../io.js";
import { cliContext } from "../context.js";

type Verb = (i: EncryptionCommandInput) => Promise<MigrationReport>;
interface VerbOptions {
  readonly json?: boolean;
  readonly keyring?: boolean;
  readonly newKeyEnv?: string;
}

async function input(o: VerbOptions): Promise<EncryptionCommandInput> {
  const ctx = await cliContext();
  let newSecret: string | undefined;
  if (o.newKeyEnv !== undefined) {
    newSecret = process.env[o.newKeyEnv];
    if (!newSecret)
      throw new HoldfastError("HF_ENCRYPTION_KEY_MISSING", `--new-key-env ${o.newKeyEnv}: that variable is not set`);
    if (o.keyring) throw new HoldfastError("HF_CLI_USAGE", "give --new-key-env or --keyring, not both");
  }
  return {
    stateDir: ctx.paths.stateDir,
    configured: ctx.secrets.get(KEY_CONFIG_PATH),
    prompt: true,
    ...(o.keyring ? { useKeyring: true } : {}),
    ...(newSecret ? { newSecret } : {}),
  };
}

function migration(io: CliIo, verb: Verb, done: (r: MigrationReport) => string) {
  return async (o: VerbOptions) => {
    const r = await verb(await input(o));
    if (o.json) return printJson(io, r);
    io.out(done(r));
  };
}

const counts = (r: MigrationReport) =>
  `${r.files} files (${r.sealed} encrypted, ${r.resealed} re-encrypted, ${r.unsealed} decrypted), ${r.rows} database rows rewritten`;

/**
 * `holdfast encryption enable|disable|rotate [--json]` and `encryption status [--json]`: encryption at
 * rest of the state dir (docs/data-lifecycle.md "Encryption at rest"). The migrations need the gateway
 * stopped; each is crash-safe and finished by running it again (or by the next gateway start).
 */
export function registerEncryption(program: Command, io: CliIo): void {
  const cmd = program.command("encryption").description("encryption at rest of the state dir (AES-256-GCM)");
  cmd
    .command("enable")
    .description(
      `encrypt transcripts, stores, media and the database's message text under a key from ${KEY_CONFIG_PATH}, the OS keyring or a passphrase (gateway stopped)`,
    )
    .option("--keyring", "store a fresh random key in the OS keyring and use it")
    .option("--json", "JSON output")
    .action(
      migration(
        io,
        enableEncryption,
        (r) => `encryption at rest is on: ${counts(r)}. Keep the key: without it the state dir cannot be read.`,
      ),
    );
  cmd
    .command("disable")
    .description("decrypt every file back to plaintext (gateway stopped)")
    .option("--json", "JSON output")
    .action(migration(io, disableEncryption, (r) => `encryption at rest is off: ${counts(r)}.`));
  cmd
    .command("rotate")
    .description("a new key-encryption key and fresh data keys for every file (gateway stopped)")
    .option(
      "--new-key-env <VAR>",
      `move to a new secret, read from the environment variable VAR (then set ${KEY_CONFIG_PATH} to it)`,
    )
    .option("--keyring", "move to a fresh random key kept in the OS keyring")
    .option("--json", "JSON output")
    .action(migration(io, rotateEncryption, (r) => `rotated: ${counts(r)}.`));
  cmd
    .command("status")
    .description("whether encryption at rest is on, what it covers, how many files are encrypted")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const ctx = await cliContext();
      const s = await encryptionStatus(ctx.paths.stateDir);
      if (o.json) return printJson(io, s);
      io.out(`encryption at rest: ${s.state}${s.keyId ? ` (key ${s.keyId})` : ""}`);
      io.out(`files in scope: ${s.files.total} (${s.files.sealed} encrypted, ${s.files.plaintext} plaintext)`);
      io.out(`covered: ${s.covered.map((c) => c.where).join(", ")}`);
      for (const n of s.notCovered) io.out(`not covered: ${n.store} (${n.why})`);
      io.out(`OS keyring: ${s.keyring.why}`);
      if (s.state === "off") io.out(`turn it on with ${cliHint("encryption enable")} (gateway stopped)`);
      else if (s.state !== "on")
        io.out(
          `an interrupted migration is pending: run ${cliHint(`encryption ${s.state === "enabling" ? "enable" : s.state === "disabling" ? "disable" : "rotate"}`)} again, or start the gateway`,
        );
    });
}
