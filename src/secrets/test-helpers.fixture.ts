import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A private temp dir (700) for secret files and commands. */
export async function privateTmp(prefix = "holdfast-secrets-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o700);
  return dir;
}

/** Writes a file with an explicit mode (chmod after write, so the umask does not interfere). */
export async function writeWithMode(file: string, text: string, mode: number): Promise<string> {
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

/**
 * Writes an exec secret provider script (mode 700) that answers the JSON protocol with `values`,
 * appends one line per run to `<dir>/runs.log`, and optionally sleeps first.
 */
export async function execProviderScript(
  dir: string,
  values: Record<string, string>,
  opts: { sleepSec?: number; exitCode?: number; name?: string } = {},
): Promise<string> {
  const file = path.join(dir, opts.name ?? "provider.sh");
  const body = [
    "#!/bin/sh",
    `echo run >> "${path.join(dir, "runs.log")}"`,
    "cat > /dev/null",
    opts.sleepSec ? `sleep ${opts.sleepSec}` : "",
    `printf '%s' '${JSON.stringify({ protocolVersion: 1, values })}'`,
    `exit ${opts.exitCode ?? 0}`,
  ].join("\n");
  return writeWithMode(file, `${body}\n`, 0o700);
}
