import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  loadConfig,
  setAtPath,
  substituteEnv,
  updateConfigFile,
  validateConfig,
  type HoldfastConfig,
  type SecretRef,
} from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists, secretEquals, writeFileAtomic } from "../infra/index.js";
import type { SecretsPlan } from "./apply-plan.js";
import { providerFor } from "./providers.js";
import { resolveAll } from "./resolve.js";
import { listSecretSlots } from "./secret-paths.js";
import { insecureFileReason, secretFilePath } from "./sources/file.js";
import { writeJsonPointer } from "./sources/json-pointer.js";

/** What applying a plan did (or, with dryRun, would do). Never contains a value. */
export interface ApplyResult {
  readonly dryRun: boolean;
  /** `<path> -> <source>:<provider>:<id>` per move. */
  readonly moved: readonly string[];
  /** Secret files written (600). */
  readonly filesWritten: readonly string[];
  readonly configWritten: boolean;
}

const fail = (msg: string) => new HoldfastError("HF_SECRETS_APPLY_FAILED", msg);
const refText = (r: SecretRef) => `${r.source}:${r.provider}:${r.id}`;

/**
 * Moves secret values out of the config into SecretRefs. For `file` refs the value is written into
 * the provider's file (JSON pointer, or the whole file for singleValue; atomic, 600); `env` and
 * `exec` refs must already yield the same value. The new config is validated and every moved ref is
 * resolved and compared (constant time) before the config is written (atomic, 600).
 * @throws HoldfastError HF_SECRETS_APPLY_FAILED (nothing of the config is changed) or HF_CONFIG_*.
 */
export async function applySecretsPlan(
  configPath: string,
  plan: SecretsPlan,
  env: NodeJS.ProcessEnv,
  opts: { dryRun?: boolean; home?: string } = {},
): Promise<ApplyResult> {
  const home = opts.home ?? os.homedir();
  const loaded = await loadConfig(configPath, env);
  const current = await resolveAll(loaded.config, { env });
  const slots = new Map(listSecretSlots(loaded.config).map((s) => [s.path, s.value]));
  let raw: Record<string, unknown> = loaded.raw;
  for (const [alias, p] of Object.entries(plan.providers ?? {})) raw = setAtPath(raw, `secrets.providers.${alias}`, p);
  const nextRaw = plan.moves.reduce((acc, m) => setAtPath(acc, m.path, m.ref), raw);
  const next = validateConfig(substituteEnv(nextRaw, env), configPath).config;
  const files = new Map<string, string>();
  for (const m of plan.moves) {
    const slot = slots.get(m.path);
    if (slot === undefined) throw fail(`${m.path} is not a secret field with a value in ${configPath}`);
    if (typeof slot !== "string") throw fail(`${m.path} is already a SecretRef`);
    const value = current.snapshot.get(m.path);
    if (value === undefined) throw fail(`${m.path} has no value to move`);
    await stageFileWrite({ config: next, files, home }, m.ref, value);
  }
  if (opts.dryRun)
    return {
      dryRun: true,
      moved: plan.moves.map((m) => `${m.path} -> ${refText(m.ref)}`),
      filesWritten: [...files.keys()],
      configWritten: false,
    };
  for (const [file, text] of files) await writeFileAtomic(file, text);
  const after = await resolveAll(next, { env });
  for (const m of plan.moves) {
    const failure = after.failures.find((f) => f.path === m.path);
    if (failure) throw fail(`${failure.message} The config was not changed.`);
    if (!secretEquals(after.snapshot.get(m.path), current.snapshot.get(m.path)))
      throw fail(`${m.path}: ${refText(m.ref)} does not yield the current value; the config was not changed.`);
  }
  await updateConfigFile(configPath, () => nextRaw, env);
  return {
    dryRun: false,
    moved: plan.moves.map((m) => `${m.path} -> ${refText(m.ref)}`),
    filesWritten: [...files.keys()],
    configWritten: true,
  };
}

/** For a file ref, adds the value to the pending content of its file (read once, private files only). */
async function stageFileWrite(
  { config, files, home }: { config: HoldfastConfig; files: Map<string, string>; home: string },
  ref: SecretRef,
  value: string,
): Promise<void> {
  if (ref.source !== "file") return;
  const provider = providerFor(config, ref);
  if (!provider.ok || provider.settings.source !== "file")
    throw fail(provider.ok ? `provider ${ref.provider} is not a file provider` : provider.reason);
  const file = secretFilePath(provider.settings, home);
  if (!files.has(file)) {
    const dir = await fsp.lstat(path.dirname(file)).catch(() => undefined);
    if (dir && (!dir.isDirectory() || (dir.mode & 0o077) !== 0))
      throw fail(
        `${path.dirname(file)} is not a private directory (700); keep secret files in one, e.g. ~/.holdfast/secrets/`,
      );
    const st = await fsp.lstat(file).catch(() => undefined);
    const why = st && (st.isSymbolicLink() ? `${file} is a symbolic link` : insecureFileReason(st, file));
    if (why) throw fail(why);
    files.set(file, (await readFileIfExists(file)) ?? "");
  }
  if (provider.settings.mode === "singleValue") {
    if (ref.id !== "value") throw fail(`singleValue provider ${ref.provider} only has the id "value"`);
    files.set(file, `${value}\n`);
    return;
  }
  if (!ref.id.startsWith("/")) throw fail(`file ids are JSON pointers (got ${ref.id})`);
  const text = files.get(file) as string;
  let doc: unknown = {};
  try {
    doc = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw fail(`${file} is not valid JSON; fix or remove it first`);
  }
  files.set(file, `${JSON.stringify(writeJsonPointer(doc, ref.id, value), null, 2)}\n`);
}
