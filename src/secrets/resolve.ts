import os from "node:os";
import type { HoldfastConfig, SecretInput, SecretRef } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { defaultAlias, envShorthand, invalidIdReason, providerFor } from "./providers.js";
import { listSecretSlots } from "./secret-paths.js";
import { SecretsSnapshot } from "./snapshot.js";
import { resolveEnvIds } from "./sources/env.js";
import { resolveExecIds } from "./sources/exec.js";
import { resolveFileIds } from "./sources/file.js";
import type { BatchOutcome, SourceContext } from "./sources/types.js";

/** A secret slot that could not be resolved. `message` names the key path and the ref, never a value. */
export interface SecretFailure {
  readonly path: string;
  readonly ref: SecretRef;
  readonly code: "HF_SECRET_UNRESOLVED" | "HF_SECRET_INSECURE_FILE";
  readonly message: string;
}

/** Everything resolving a config's secrets found. */
export interface SecretResolution {
  readonly snapshot: SecretsSnapshot;
  readonly failures: readonly SecretFailure[];
  /** Refs (including `$NAME` shorthands) that were looked up. */
  readonly refsChecked: number;
  /** Exec refs not run because `allowExec` was false. */
  readonly skippedExecRefs: number;
}

/** Options of {@link resolveAll}. */
export interface ResolveOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Run exec providers (default true; `secrets audit` skips them unless asked). */
  readonly allowExec?: boolean;
  /** Home for `~` in provider paths. Default: the current user's home. */
  readonly home?: string;
}

interface PendingRef {
  readonly path: string;
  readonly ref: SecretRef;
}

/**
 * Resolves every secret slot of `config`. Plain strings are taken as they are (the loader already
 * substituted `${VAR}`); `"$NAME"` is an env ref; refs are grouped by provider so each file is read
 * and each command run once. Never throws for a bad ref: failures are collected.
 */
export async function resolveAll(config: HoldfastConfig, opts: ResolveOptions): Promise<SecretResolution> {
  const values = new Map<string, string>();
  const pending: PendingRef[] = [];
  for (const slot of listSecretSlots(config)) {
    const ref = asRef(config, slot.value);
    if (ref) pending.push({ path: slot.path, ref });
    else if (typeof slot.value === "string" && slot.value !== "") values.set(slot.path, slot.value);
  }
  const failures: SecretFailure[] = [];
  const ctx: SourceContext = { env: opts.env, home: opts.home ?? os.homedir() };
  let skippedExecRefs = 0;
  for (const group of groupByProvider(pending)) {
    const first = group[0] as PendingRef;
    if (first.ref.source === "exec" && opts.allowExec === false) {
      skippedExecRefs += group.length;
      continue;
    }
    const outcomes = await resolveGroup(config, first.ref, group, ctx);
    for (const { path, ref } of group) {
      const why = invalidIdReason(ref);
      const outcome = outcomes.get(ref.id);
      if (why) failures.push(failure(path, ref, why));
      else if (!outcome || !outcome.ok)
        failures.push(
          failure(path, ref, outcome?.reason ?? "no value", outcome && !outcome.ok && outcome.insecureFile === true),
        );
      else if (typeof outcome.value !== "string")
        failures.push({
          path,
          ref,
          code: "HF_SECRET_UNRESOLVED",
          message: `${path} SecretRef resolved to a non-string value.`,
        });
      else if (outcome.value.trim() === "")
        failures.push({
          path,
          ref,
          code: "HF_SECRET_UNRESOLVED",
          message: `${path} SecretRef resolved to an empty value.`,
        });
      else values.set(path, outcome.value);
    }
  }
  return { snapshot: new SecretsSnapshot(values), failures, refsChecked: pending.length, skippedExecRefs };
}

/**
 * Resolves every secret of `config` into a snapshot (start-up and `secrets reload`).
 * @throws HoldfastError HF_SECRET_UNRESOLVED or HF_SECRET_INSECURE_FILE for the first failure; the
 *   message names the key path and the ref, never a value.
 */
export async function resolveSecrets(config: HoldfastConfig, opts: ResolveOptions): Promise<SecretsSnapshot> {
  const res = await resolveAll(config, opts);
  const first = res.failures[0];
  if (first) throw new HoldfastError(first.code, first.message, { path: first.path, more: res.failures.length - 1 });
  return res.snapshot;
}

/** The ref a secret input stands for: a SecretRef object or a `"$NAME"` shorthand; else undefined. */
export function asRef(config: HoldfastConfig, input: SecretInput): SecretRef | undefined {
  if (typeof input !== "string") return input;
  const name = envShorthand(input);
  return name ? { source: "env", provider: defaultAlias(config, "env"), id: name } : undefined;
}

function groupByProvider(refs: readonly PendingRef[]): PendingRef[][] {
  const groups = new Map<string, PendingRef[]>();
  for (const r of refs) {
    const key = `${r.ref.source}:${r.ref.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

async function resolveGroup(
  config: HoldfastConfig,
  ref: SecretRef,
  group: readonly PendingRef[],
  ctx: SourceContext,
): Promise<BatchOutcome> {
  const ids = [...new Set(group.filter((g) => !invalidIdReason(g.ref)).map((g) => g.ref.id))];
  const provider = providerFor(config, ref);
  if (!provider.ok) return new Map(group.map((g) => [g.ref.id, { ok: false, reason: provider.reason }]));
  const s = provider.settings;
  if (s.source === "env") return resolveEnvIds(s, ids, ctx);
  if (s.source === "file") return resolveFileIds(s, ids, ctx);
  return resolveExecIds(ref.provider, s, ids, ctx);
}

function failure(path: string, ref: SecretRef, reason: string, insecureFile = false): SecretFailure {
  return {
    path,
    ref,
    code: insecureFile ? "HF_SECRET_INSECURE_FILE" : "HF_SECRET_UNRESOLVED",
    message: `${path} SecretRef is unresolved (${ref.source}:${ref.provider}:${ref.id}): ${reason}.`,
  };
}
