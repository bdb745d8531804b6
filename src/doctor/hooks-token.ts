import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hasEnvReference, type HoldfastConfig, type HoldfastPaths } from "../config/index.js";
import { configuredCredentials } from "../gateway/index.js";
import { HOOKS_MIN_TOKEN_CHARS } from "../hooks/index.js";
import { secretEquals } from "../infra/index.js";

type Obj = Record<string, unknown>;

/** A new hooks token: 32 random bytes as 64 hex characters. */
export function newHooksToken(): string {
  return randomBytes(32).toString("hex");
}

/** What {@link hooksTokenFix} looks at. */
export interface HooksTokenInput {
  readonly config: HoldfastConfig;
  readonly raw: Obj;
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
  readonly paths: Pick<HoldfastPaths, "generatedTokenFile">;
}

/**
 * The doctor fix for a hooks token the gateway refuses (with `hooks.enabled`): one written in the
 * config file (not `${VAR}` or a SecretRef, which doctor cannot rewrite) that is shorter than
 * {@link HOOKS_MIN_TOKEN_CHARS} or equals the gateway's token, password or generated token. Returns the
 * line doctor reports (never the value), or undefined when nothing is to be rotated.
 */
export function hooksTokenFix(input: HooksTokenInput): string | undefined {
  if (input.config.hooks?.enabled !== true) return undefined;
  const written = (input.raw.hooks as Obj | undefined)?.token;
  if (typeof written !== "string" || hasEnvReference(written)) return undefined;
  const gw = configuredCredentials(input);
  const generated = readGenerated(input.paths.generatedTokenFile);
  const reused = [gw.token?.value, gw.password?.value, generated].some((c) => c && secretEquals(written, c));
  if (!reused && written.length >= HOOKS_MIN_TOKEN_CHARS) return undefined;
  const why = reused ? "it equals the gateway credential" : `it has fewer than ${HOOKS_MIN_TOKEN_CHARS} characters`;
  return `hooks.token: rotated (${why}); give webhook senders the new one from the config file`;
}

/** `raw` with `hooks.token` set to `token`. */
export function withHooksToken(raw: Obj, token: string): Obj {
  const hooks = { ...((raw.hooks as Obj | undefined) ?? {}), token };
  return { ...raw, hooks };
}

function readGenerated(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
