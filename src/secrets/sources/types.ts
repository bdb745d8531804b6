import type { SecretRef } from "../../config/index.js";

/** The outcome for one ref id: a raw value (checked to be a non-empty string by the caller) or why not. */
export type IdOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string; readonly insecureFile?: boolean };

/** Outcomes by ref id for one provider. */
export type BatchOutcome = ReadonlyMap<string, IdOutcome>;

/** What a source needs besides the provider's settings. */
export interface SourceContext {
  readonly env: NodeJS.ProcessEnv;
  /** Home directory for `~` in paths. */
  readonly home: string;
}

/** A failure of the whole provider (file unreadable, command failed): every id gets it. */
export function failAll(ids: readonly string[], reason: string, insecureFile = false): BatchOutcome {
  return new Map(ids.map((id) => [id, insecureFile ? { ok: false, reason, insecureFile } : { ok: false, reason }]));
}

export type { SecretRef };
