import type { HoldfastConfig } from "../config/index.js";
import type { ResolvedSandbox } from "../sandbox/index.js";
import { DEFAULT_SAFE_BIN_DIRS, DEFAULT_SAFE_BINS, type AllowEntry, type ExecPolicy } from "./exec-policy.js";
import { DEFAULT_EXEC_LIMITS, type ExecLimits } from "./exec-tool.js";
import { DEFAULT_WEB_FETCH, type WebFetchSettings } from "./web-fetch.js";
import { WEB_SEARCH_BASE_URLS, type WebSearchSettings } from "./web-search.js";

/**
 * `tools.exec.security`/`ask` with holdfast defaults (allowlist + on-miss). The 2026.9 `mode` key
 * maps when security/ask are unset: deny → deny/off, allowlist → allowlist/off, ask and auto →
 * allowlist/on-miss, full → full/off. Source: reference §6.6 and §0.1.
 */
export function execSecurity(config: HoldfastConfig): Pick<ExecPolicy, "security" | "ask"> {
  const e = config.tools?.exec;
  const byMode: Record<string, Pick<ExecPolicy, "security" | "ask">> = {
    deny: { security: "deny", ask: "off" },
    allowlist: { security: "allowlist", ask: "off" },
    ask: { security: "allowlist", ask: "on-miss" },
    auto: { security: "allowlist", ask: "on-miss" },
    full: { security: "full", ask: "off" },
  };
  const mapped = e?.mode ? byMode[e.mode] : undefined;
  return { security: e?.security ?? mapped?.security ?? "allowlist", ask: e?.ask ?? mapped?.ask ?? "on-miss" };
}

/** The configured allowlist entries (`tools.exec.allowlist`). */
export function configAllowlist(config: HoldfastConfig): AllowEntry[] {
  return (config.tools?.exec?.allowlist ?? []).map((e) =>
    typeof e === "string"
      ? { pattern: e, source: "config" }
      : { pattern: e.pattern, ...(e.args ? { args: e.args } : {}), source: "config" },
  );
}

/** The exec policy without persisted allow-always entries. */
export function execPolicyBase(config: HoldfastConfig): ExecPolicy {
  const e = config.tools?.exec;
  return {
    ...execSecurity(config),
    allowlist: configAllowlist(config),
    safeBins: e?.safeBins ?? DEFAULT_SAFE_BINS,
    safeBinTrustedDirs: e?.safeBinTrustedDirs ?? DEFAULT_SAFE_BIN_DIRS,
  };
}

/** Exec limits: `tools.exec.timeoutSec` (default 120) and `maxOutputBytes` (200 000); a sandbox's own limits apply when lower. */
export function execLimits(
  config: HoldfastConfig,
  sandbox?: Pick<ResolvedSandbox, "timeoutMs" | "outputBytes">,
): ExecLimits {
  const e = config.tools?.exec;
  const timeoutMs = e?.timeoutSec !== undefined ? e.timeoutSec * 1000 : DEFAULT_EXEC_LIMITS.timeoutMs;
  const maxOutputBytes = e?.maxOutputBytes ?? DEFAULT_EXEC_LIMITS.maxOutputBytes;
  return {
    timeoutMs: Math.min(timeoutMs, sandbox?.timeoutMs ?? timeoutMs),
    maxOutputBytes: Math.min(maxOutputBytes, sandbox?.outputBytes ?? maxOutputBytes),
  };
}

/** `tools.web.fetch` with defaults; undefined when `enabled: false`. */
export function webFetchSettings(config: HoldfastConfig): WebFetchSettings | undefined {
  const f = config.tools?.web?.fetch;
  if (f?.enabled === false) return undefined;
  return {
    maxBytes: f?.maxBytes ?? DEFAULT_WEB_FETCH.maxBytes,
    timeoutMs: f?.timeoutMs ?? DEFAULT_WEB_FETCH.timeoutMs,
    allowPrivateNetwork: f?.allowPrivateNetwork ?? false,
  };
}

/**
 * `tools.web.search` with defaults; undefined (tool off) without a key. Key: `tools.web.search.apiKey`,
 * else `BRAVE_API_KEY` / `TAVILY_API_KEY` for the chosen provider (default brave).
 */
export function webSearchSettings(
  config: HoldfastConfig,
  key: string | undefined,
  env: NodeJS.ProcessEnv,
): WebSearchSettings | undefined {
  const s = config.tools?.web?.search;
  if (s?.enabled === false) return undefined;
  const provider = s?.provider ?? "brave";
  const apiKey = key ?? (provider === "brave" ? env.BRAVE_API_KEY : env.TAVILY_API_KEY);
  if (!apiKey) return undefined;
  return {
    provider,
    apiKey,
    baseUrl: s?.baseUrl ?? WEB_SEARCH_BASE_URLS[provider],
    maxResults: s?.maxResults ?? 5,
    timeoutMs: 15_000,
  };
}
