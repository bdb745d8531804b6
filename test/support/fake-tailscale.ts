import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./gateway-process.js";

/** A fake `tailscale` on a private PATH directory, with its invocation log and whois table. */
export interface FakeTailscale {
  /** Environment for the gateway: PATH with the fake first, log and whois files. */
  readonly env: Record<string, string>;
  /** Every invocation so far (argument lists). */
  calls(): Promise<string[][]>;
}

/** Installs the fake (see fake-tailscale.mjs); `whois` maps tailnet IPs to login names. */
export async function installFakeTailscale(
  whois: Record<string, string> = {},
  extraEnv: Record<string, string> = {},
): Promise<FakeTailscale> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-fake-tailscale-"));
  const bin = path.join(dir, "tailscale");
  await writeFile(
    bin,
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO_ROOT, "test/support/fake-tailscale.mjs")}" "$@"\n`,
  );
  await chmod(bin, 0o755);
  const log = path.join(dir, "calls.log");
  const map = path.join(dir, "whois.json");
  await writeFile(log, "");
  await writeFile(map, JSON.stringify(whois));
  return {
    env: { PATH: `${dir}:${process.env.PATH ?? ""}`, FAKE_TAILSCALE_LOG: log, FAKE_TAILSCALE_WHOIS: map, ...extraEnv },
    calls: async () =>
      (await readFile(log, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  };
}
