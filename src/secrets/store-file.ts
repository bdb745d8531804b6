import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../infra/index.js";
import { insecureFileReason } from "./sources/file.js";
import { writeJsonPointer } from "./sources/json-pointer.js";

/**
 * Stores a secret in a JSON secrets file at a JSON pointer (what a `file` SecretRef with that
 * provider and id reads): the file is created 600 in a 700 directory, or merged when it exists and
 * is private. The value is never logged or returned.
 * @throws HoldfastError HF_SECRETS_APPLY_FAILED for an insecure or unreadable existing file.
 */
export async function storeFileSecret(file: string, pointer: string, value: string): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  const st = await fsp.lstat(file).catch(() => undefined);
  const why = st && (st.isSymbolicLink() ? `${file} is a symbolic link` : insecureFileReason(st, file));
  if (why) throw new HoldfastError("HF_SECRETS_APPLY_FAILED", why);
  const text = (await readFileIfExists(file)) ?? "";
  let doc: unknown;
  try {
    doc = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new HoldfastError("HF_SECRETS_APPLY_FAILED", `${file} is not valid JSON; fix or remove it first`);
  }
  await writeFileAtomic(file, `${JSON.stringify(writeJsonPointer(doc, pointer, value), null, 2)}\n`);
}
