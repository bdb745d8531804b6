import { promises as fsp } from "node:fs";
import path from "node:path";

/** What encryption at rest covers, relative to the state dir (docs/data-lifecycle.md "Encryption at rest"). */
export const ENCRYPTED_STORES: readonly { readonly store: string; readonly where: string }[] = [
  { store: "transcripts and their archives", where: "agents/<id>/sessions/" },
  { store: "pairing and allowlist stores, channel credentials, pseudonym keys", where: "credentials/" },
  { store: "paired and pending devices", where: "devices/" },
  { store: "exec approvals", where: "exec-approvals.json" },
  { store: "/export-session pages", where: "exports/" },
  {
    store:
      "message text in the state database (ledger messages and outcomes, inbound queue payloads, outbox text, session display names)",
    where: "state/holdfast.sqlite",
  },
  { store: "inbound media (channel attachments)", where: "media/" },
];

/** What it does not cover, and why (status and the audit say so). */
export const PLAINTEXT_STORES: readonly { readonly store: string; readonly why: string }[] = [
  { store: "config (holdfast.json)", why: "holds storage.encryption.key, the reference to the key itself" },
  {
    store: "credentials/gateway-token, credentials/secrets.json",
    why: "needed before the key is known (CLI auth, file SecretRefs)",
  },
  {
    store: "state/holdfast.sqlite: ids, states, times, session keys",
    why: "SQLite pages are not encrypted (no SQLCipher); only the columns with message text and names are, and every lookup is by key",
  },
  { store: "audit/, logs/", why: "the security trail and logs carry no message content" },
];

const NEVER = new Set(["gateway-token", "secrets.json"]);

/**
 * The predicate of files encryption at rest covers under `stateDir` (absolute paths). Temp files of
 * atomic writes and lock entries are not state and are left out.
 */
export function encryptionScope(stateDir: string): (file: string) => boolean {
  const root = path.resolve(stateDir);
  return (file) => {
    const rel = path.relative(root, path.resolve(file));
    if (rel.startsWith("..") || path.isAbsolute(rel)) return false;
    const parts = rel.split(path.sep);
    const name = parts[parts.length - 1] ?? "";
    if (name.endsWith(".tmp") || name.endsWith(".lock") || parts.some((p) => p.endsWith(".lock"))) return false;
    const [top, second, third] = parts;
    if (top === "credentials") return parts.length > 2 || !NEVER.has(name);
    if (top === "devices" || top === "exports") return parts.length > 1;
    if (top === "media") return parts.length > 2;
    if (top === "agents") return second !== undefined && third === "sessions" && parts.length > 3;
    return rel === "exec-approvals.json";
  };
}

/** Every regular file under `stateDir` in scope (symlinks are not followed). */
export async function filesInScope(stateDir: string): Promise<string[]> {
  const inScope = encryptionScope(stateDir);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && inScope(p)) out.push(p);
    }
  };
  for (const top of ["credentials", "devices", "exports", "agents", "media"]) await walk(path.join(stateDir, top));
  const approvals = path.join(stateDir, "exec-approvals.json");
  if ((await fsp.lstat(approvals).catch(() => undefined))?.isFile()) out.push(approvals);
  return out.sort();
}
