import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { keyId, readFileIfExists, SCRYPT_PARAMS, scryptKey, writeJsonAtomic } from "../infra/index.js";

/** `<stateDir>/encryption.json`: the state dir's encryption state (plaintext: it names keys, holds none). */
export const META_FILE = "encryption.json";

const KekSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  salt: z.string().min(16),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
});
/** How a key-encryption key is derived from the secret: scrypt parameters, salt, and the id it must have. */
export type KekParams = z.infer<typeof KekSchema>;

const MetaSchema = z.strictObject({
  version: z.literal(1),
  /** `on`; or a migration that has not finished (resumed by the next start or the same command). */
  state: z.enum(["on", "enabling", "disabling", "rotating"]),
  kek: KekSchema,
  /** While rotating: the key files not yet rewritten are sealed under. */
  previous: KekSchema.optional(),
  updatedAt: z.string(),
});
/** The content of {@link META_FILE}; a missing file means encryption is off. */
export type EncryptionMeta = z.infer<typeof MetaSchema>;

/**
 * Reads {@link META_FILE}; `undefined` when encryption is off.
 * @throws HoldfastError HF_STATE_CORRUPT when the file is not valid (it is never guessed at)
 */
export async function readMeta(stateDir: string): Promise<EncryptionMeta | undefined> {
  const file = path.join(stateDir, META_FILE);
  const text = await readFileIfExists(file);
  if (text === undefined) return undefined;
  try {
    return MetaSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new HoldfastError(
      "HF_STATE_CORRUPT",
      `${file} is not a valid encryption state file`,
      { path: file },
      { cause: err },
    );
  }
}

/** Writes {@link META_FILE} atomically (600); `undefined` removes it (encryption off). */
export async function writeMeta(stateDir: string, meta: EncryptionMeta | undefined): Promise<void> {
  const file = path.join(stateDir, META_FILE);
  if (meta) return writeJsonAtomic(file, meta);
  await fsp.rm(file, { force: true });
}

const KEK_LABEL = "holdfast-kek-v1";

/** Derives the KEK of `params` from `secret` (scrypt); `ok` is false when its id is not `params.id`. */
export async function deriveKek(secret: string, params: KekParams): Promise<{ key: Buffer; ok: boolean }> {
  const key = await scryptKey(secret, Buffer.from(params.salt, "base64"), params);
  return { key, ok: keyId(key, KEK_LABEL) === params.id };
}

/** A new KEK from `secret` under a fresh salt, and its parameters. */
export async function newKek(secret: string): Promise<{ key: Buffer; params: KekParams }> {
  const salt = randomBytes(16);
  const key = await scryptKey(secret, salt);
  return { key, params: { id: keyId(key, KEK_LABEL), salt: salt.toString("base64"), ...SCRYPT_PARAMS } };
}
