import { promises as fsp } from "node:fs";
import os from "node:os";
import type { HoldfastConfig } from "../config/index.js";
import { secretFilePath } from "./sources/file.js";

/** A secret-holding file that others could read or swap. */
export interface LooseSecretFile {
  readonly path: string;
  /** `secrets.providers.<alias>` or `config file`. */
  readonly holder: string;
  readonly reason: string;
}

/**
 * File providers' files (and the config file when it holds plaintext secrets) that are symlinks or
 * have group/other permission bits. Missing files are reported by resolution, not here.
 */
export async function looseSecretFiles(
  config: HoldfastConfig,
  configPath: string,
  hasPlaintext: boolean,
  home = os.homedir(),
): Promise<LooseSecretFile[]> {
  const targets: [string, string][] = Object.entries(config.secrets?.providers ?? {}).flatMap(
    ([alias, p]): [string, string][] =>
      p.source === "file" ? [[secretFilePath(p, home), `secrets.providers.${alias}`]] : [],
  );
  if (hasPlaintext) targets.push([configPath, "config file"]);
  const out: LooseSecretFile[] = [];
  for (const [file, holder] of targets) {
    const st = await fsp.lstat(file).catch(() => undefined);
    if (!st) continue;
    const mode = (st.mode & 0o777).toString(8).padStart(3, "0");
    if (st.isSymbolicLink()) out.push({ path: file, holder, reason: "is a symbolic link" });
    else if ((st.mode & 0o077) !== 0)
      out.push({ path: file, holder, reason: `has mode ${mode} (must be 600 or stricter)` });
  }
  return out;
}
