import { randomBytes } from "node:crypto";
import { constants as fsc, promises as fsp } from "node:fs";
import { HoldfastError } from "../errors/index.js";
import { cliHint, writeFileAtomic } from "../infra/index.js";
import { estimateEntropyBits } from "./entropy.js";
import type { HoldfastConfig, HoldfastPaths } from "../config/index.js";
import type { SourcedSecret } from "./exposure.js";

/** Where gateway credentials come from: the config, its resolved secrets and the environment. */
export interface CredentialSources {
  readonly config: HoldfastConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: { get(path: string): string | undefined };
}

/** The gateway credentials the operator configured (never the generated token). */
export interface ConfiguredCredentials {
  readonly token?: SourcedSecret;
  readonly password?: SourcedSecret;
}

/**
 * Reads the configured gateway token and password with their source: `gateway.auth.token|password`
 * (resolved secrets, so `${VAR}` and SecretRefs work) first, then `HOLDFAST_GATEWAY_TOKEN` /
 * `HOLDFAST_GATEWAY_PASSWORD`. A value that is present but blank is kept so the start-up check can
 * refuse it (reference §3.1). Source: seeds security-architecture.md "Gateway Authentication Modes".
 */
export function configuredCredentials(ctx: CredentialSources): ConfiguredCredentials {
  const pick = (key: "token" | "password", envName: string): SourcedSecret | undefined => {
    const resolved = ctx.secrets.get(`gateway.auth.${key}`);
    if (resolved !== undefined) return { value: resolved, source: `gateway.auth.${key}` };
    if (ctx.config.gateway?.auth?.[key] === "") return { value: "", source: `gateway.auth.${key}` };
    const env = ctx.env[envName];
    return env !== undefined ? { value: env, source: envName } : undefined;
  };
  const token = pick("token", "HOLDFAST_GATEWAY_TOKEN");
  const password = pick("password", "HOLDFAST_GATEWAY_PASSWORD");
  return { ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

/** Bytes of randomness in a generated token (64 hex characters). Source: seeds "Token Authentication". */
export const GENERATED_TOKEN_BYTES = 32;

/**
 * The token generated on first start for a loopback token-mode gateway with no configured token:
 * 32 random bytes, hex, in `<stateDir>/credentials/gateway-token` (mode 600). It is never printed or
 * logged: only where to find it. An existing file is used only when it is a regular file (not a
 * symlink), owned by this user, private (no group/other bits), with a single link, holding at least
 * 32 random bytes in hex; otherwise the gateway refuses to start and says why (an attacker who can
 * plant or read that file holds the gateway's credential). Source: seeds "Token Authentication".
 * @throws HoldfastError HF_GATEWAY_TOKEN_FILE when the file fails a check.
 */
export async function generatedToken(ctx: {
  readonly paths: Pick<HoldfastPaths, "generatedTokenFile">;
  readonly say: (line: string) => void;
}): Promise<string> {
  const file = ctx.paths.generatedTokenFile;
  const stored = await readTokenFile(file);
  if (stored !== undefined) return stored;
  const fresh = randomBytes(32).toString("hex");
  await writeFileAtomic(file, `${fresh}\n`);
  ctx.say(
    `Generated a gateway token (first start). It is stored in ${file} (mode 600); show it with: ${cliHint("gateway token")}`,
  );
  return fresh;
}

/** Reads the generated token file after checking it (see {@link generatedToken}); undefined when absent. */
async function readTokenFile(file: string): Promise<string | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw tokenFileError(file, "is a symbolic link");
    throw tokenFileError(file, `cannot be opened (${code ?? "error"})`);
  }
  try {
    const st = await handle.stat();
    const uid = process.getuid?.();
    if (!st.isFile()) throw tokenFileError(file, "is not a regular file");
    if (uid !== undefined && st.uid !== uid) throw tokenFileError(file, `belongs to uid ${st.uid}, not to this user`);
    if ((st.mode & 0o077) !== 0)
      throw tokenFileError(file, `has mode ${(st.mode & 0o777).toString(8)}: others can read or change it`);
    if (st.nlink !== 1) throw tokenFileError(file, `has ${st.nlink} hard links: it can be read or replaced elsewhere`);
    const token = (await handle.readFile({ encoding: "utf8" })).trim();
    const hex = /^[0-9a-f]+$/i.test(token) ? token.length / 2 : 0;
    if (hex < GENERATED_TOKEN_BYTES || estimateEntropyBits(token) < 4 * GENERATED_TOKEN_BYTES)
      throw tokenFileError(file, `does not hold ${GENERATED_TOKEN_BYTES} random bytes (64 hex characters)`);
    return token;
  } finally {
    await handle.close();
  }
}

function tokenFileError(file: string, why: string): HoldfastError {
  return new HoldfastError(
    "HF_GATEWAY_TOKEN_FILE",
    `The generated gateway token file ${file} ${why}; refusing to start. Remove it; the gateway generates a new one on the next start (clients then need the new token: ${cliHint("gateway token")})`,
    { path: file },
  );
}
